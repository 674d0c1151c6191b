"""Programme dashboard, funder report and exports (issue 6)."""
