"""Transfer: the inventory out (XLSX, CSV, DCAT-US data.json) and spreadsheets back in."""
