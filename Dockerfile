# Tuopin web, worker and beat image (same image, different commands; see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    TUOPIN_VAR_DIR=/var/lib/tuopin

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings to import; these build-time values are not used at run time.
RUN SECRET_KEY=build-only RESIDENT_ID_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --system --home /app tuopin && mkdir -p /var/lib/tuopin/media \
    && chown -R tuopin /var/lib/tuopin && chmod -R 0700 /var/lib/tuopin

USER tuopin
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
