"""Local infrastructure for development and tests: a single-node Kafka broker without Docker."""
