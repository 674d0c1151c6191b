"""Import of enterprises and contacts from the partners' CSV and Excel spreadsheets."""
