"""The lab's data path on the real libraries, offline (issue 11, items 3-5):
the ETL function with awswrangler on moto S3, the anomaly detector on a moto
Kinesis stream, and the named queries on DuckDB. See the book's chapter
docs/src/internals/datapath.md."""
