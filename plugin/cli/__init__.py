"""The `liumai` command line (Typer): an adapter over the services, like Slack and Feishu."""
