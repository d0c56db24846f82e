"""ppl package."""
