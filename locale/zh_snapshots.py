"""Chinese for the strings of issue 16 (score snapshots and runs as manifests)."""

ZH_SNAPSHOTS = {
    "score snapshot": "评分快照",
    "computed by": "计算批次",
}
