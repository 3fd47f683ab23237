"""The class summary's Excel CSV read the way a Polish-locale spreadsheet
reads it: pandas with `;` as separator, `,` as decimal mark and the UTF-8
byte order mark (`utf-8-sig`). The costs must come out as numbers, the
Polish names intact, and the total row must equal the sum of the rows.
"""

import subprocess

import pandas as pd

from . import tfcheck


def test_excel_summary_reads_as_numbers_and_adds_up(stackgen, tmp_path):
    out = tmp_path / "out"
    subprocess.run(
        [str(stackgen), "render", "-q", "--summary-csv", "excel", "-o", str(out),
         str(tfcheck.examples_dir() / "roster-class.yaml")],
        check=True,
    )
    table = pd.read_csv(out / "class-summary.csv", sep=";", decimal=",",
                        encoding="utf-8-sig", dtype={"account": str})
    assert list(table.columns[:2]) == ["directory", "student"]
    assert table["usd_per_hour"].dtype == float
    students, total = table.iloc[:-1], table.iloc[-1]
    assert total["directory"] == "TOTAL"
    assert len(students) >= 2
    # Ten-thousandths, as printed: the total is the sum of the printed rows.
    assert round(students["usd_per_hour"].sum(), 4) == round(total["usd_per_hour"], 4)
    # Windows-1250 would have mangled these; the BOM keeps them.
    assert any(ch in "".join(students["student"]) for ch in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    # Account ids keep all 12 digits as text.
    assert all(len(a) == 12 for a in students["account"])
