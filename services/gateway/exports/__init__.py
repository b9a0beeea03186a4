"""Exports of enterprises for buyers' spreadsheets: the columns (one row per enterprise and
label), a CSV that Dutch Excel opens as it should, and an XLSX; pure, fed by EnterpriseView."""
