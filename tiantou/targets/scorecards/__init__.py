"""Township scorecards (乡镇考核): schemes of weighted indicators scored against each
township's share of a target sheet."""
