"""Domain writes of the households app."""
