"""Standards (救助标准): effective-dated per region subtree, the one in force by date."""
