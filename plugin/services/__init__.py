"""Platform-neutral use cases. Slack, Feishu and the CLI are thin adapters over these."""
