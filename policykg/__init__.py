"""policykg: a knowledge graph of how Zhejiang's 32 private-economy measures land in each region."""

__version__ = "0.1.0"
