"""Programme dashboard, funder report and exports."""
