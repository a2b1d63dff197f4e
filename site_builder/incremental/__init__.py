"""What a build keeps for the next: the record of inputs and outputs, and the cache of results."""
