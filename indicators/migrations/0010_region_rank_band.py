"""RegionRankBand: a region's EQI rank in a run and its 90 % band over the sensitivity analysis's scenarios
(indicators.methods.sensitivity), in a table of its own (the region scores are left as they are)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0009_methodology_v1_description"),
        ("regions", "0002_assignment"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionRankBand",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField()),
                (
                    "within",
                    models.PositiveSmallIntegerField(
                        choices=[(0, "in the country"), (1, "in its province"), (2, "in its prefecture")],
                        verbose_name="ranked among",
                    ),
                ),
                ("ranked", models.PositiveIntegerField(verbose_name="regions ranked")),
                ("rank", models.PositiveIntegerField(verbose_name="rank")),
                ("rank_median", models.PositiveIntegerField(verbose_name="median rank")),
                ("rank_low", models.PositiveIntegerField(verbose_name="rank, 5th percentile")),
                ("rank_high", models.PositiveIntegerField(verbose_name="rank, 95th percentile")),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="regions.region"
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rank_bands",
                        to="indicators.computationrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "EQI rank band",
                "constraints": [
                    models.UniqueConstraint(fields=("run", "within", "region"), name="rankband_unique"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rank__gte", 1),
                            ("rank__lte", models.F("ranked")),
                            ("rank_low__gte", 1),
                            ("rank_low__lte", models.F("rank_median")),
                            ("rank_high__lte", models.F("ranked")),
                            ("rank_median__lte", models.F("rank_high")),
                        ),
                        name="rankband_ordered",
                    ),
                ],
            },
        ),
    ]
