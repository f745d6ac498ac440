"""Local fakes of external services for tests (real HTTP on loopback, never the internet)."""
