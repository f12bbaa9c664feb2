"""Qt-free async adapters over httpx, one per API, and the credential store."""
