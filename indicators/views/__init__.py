"""Pages of the scores: dashboards, drill-down below county, the early-warning inbox, the methodology."""
