//! The SQL a stack carries: the handout's Athena queries (saved as named
//! queries in the student's workgroup) and the Kinesis Analytics anomaly
//! detection with its threshold, window and symbol taken from the input.

use serde::Serialize;

use crate::base::model::AnalyticsOptions;

/// The two tables the queries read, quoted as Athena wants them
/// (`"database"."table"`).
#[derive(Debug, Clone)]
pub struct Tables {
    pub raw: String,
    pub processed: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedQuery {
    /// Terraform resource label.
    pub key: &'static str,
    /// The handout's exercise that asks it: a checkpoint (`render
    /// --through`) saves the queries of its exercises only.
    #[serde(skip)]
    pub exercise: u8,
    pub name: &'static str,
    pub description: &'static str,
    pub sql: String,
}

/// Exercise 3 (largest buy and sell per hour), 4.2 (partition repair) and
/// 4.3 (reconciliation of the two zones).
pub fn named_queries(tables: &Tables, symbol: &str) -> Vec<NamedQuery> {
    let (raw, processed) = (&tables.raw, &tables.processed);
    vec![
        NamedQuery {
            key: "hourly_extremes",
            exercise: 3,
            name: "hourly-largest-buy-and-sell",
            description: "Exercise 3: the largest buy and sell of each symbol per hour of event time, oldest first; compare HourlyBucket with the arrival-time partitions",
            sql: format!(
                "\
SELECT HourlyBucket, rnk, transaction_ts, symbol, price, amount, dollar_amount, type, trans_id,
       year, month, day, hour
FROM (
  SELECT date_format(from_unixtime(transaction_ts), '%Y-%m-%dT%H') AS HourlyBucket,
         RANK() OVER (
           PARTITION BY date_format(from_unixtime(transaction_ts), '%Y-%m-%dT%H'), symbol, type
           ORDER BY dollar_amount DESC
         ) AS rnk,
         *
  FROM {raw}
)
WHERE rnk = 1
ORDER BY HourlyBucket ASC, symbol, type;
"
            ),
        },
        NamedQuery {
            key: "repair_processed",
            exercise: 4,
            name: "repair-processed-partitions",
            description: "Exercise 4.2: register partitions of the processed table by scanning S3 (not needed while partition projection is on; kept to show the handout's way)",
            sql: format!("MSCK REPAIR TABLE {processed};\n"),
        },
        NamedQuery {
            key: "reconciliation",
            exercise: 4,
            name: "reconcile-raw-and-processed",
            description: "Exercise 4.3: both zones must hold the same number of trades for one symbol in the first hour (337 for BTC_USD in the handout)",
            sql: format!(
                "\
SELECT
  (SELECT count(*)
   FROM {raw}
   WHERE symbol = '{symbol}'
     AND date_format(from_unixtime(transaction_ts), '%Y-%m-%dT%H') = '2020-10-01T00') AS raw_zone_count,
  (SELECT count(*)
   FROM {processed}
   WHERE symbol = '{symbol}' AND year = 2020 AND month = 10 AND day = 1 AND hour = 0) AS processed_zone_count;
"
            ),
        },
    ]
}

/// The handout's exercise 5 application. A trade of the watched symbol is
/// flagged when its dollar amount exceeds `threshold` times the average
/// dollar amount of the same symbol and type over the preceding window
/// (the window includes the trade itself, as in the handout).
pub fn anomaly_detection(a: &AnalyticsOptions) -> String {
    let window = a.window_seconds;
    let threshold = number(a.threshold);
    let symbol = &a.symbol;
    format!(
        "\
CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (
  \"symbol\" VARCHAR(10), \"type\" VARCHAR(10), \"trans_id\" BIGINT,
  \"dollar_amount\" DOUBLE, \"AvgLast{window}seconds\" DOUBLE, \"CntLast{window}seconds\" INT,
  \"SumLast30rows\" DOUBLE, \"CntLast30rows\" INT, \"max_tran_id\" BIGINT
);

CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"
SELECT STREAM \"symbol\", \"type\", \"trans_id\", \"dollar_amount\",
  \"AvgLast{window}seconds\", \"CntLast{window}seconds\",
  \"SumLast30rows\", \"CntLast30rows\", \"max_tran_id\"
FROM (
  SELECT STREAM \"symbol\", \"type\", \"trans_id\", \"dollar_amount\",
    AVG(\"dollar_amount\") OVER LAST_WINDOW AS \"AvgLast{window}seconds\",
    COUNT(*) OVER LAST_WINDOW AS \"CntLast{window}seconds\",
    SUM(\"dollar_amount\") OVER LAST_30_ROWS AS \"SumLast30rows\",
    COUNT(*) OVER LAST_30_ROWS AS \"CntLast30rows\",
    MAX(\"trans_id\") OVER LAST_30_ROWS AS \"max_tran_id\"
  FROM \"SOURCE_SQL_STREAM_001\"
  WHERE \"symbol\" = '{symbol}'
  WINDOW
    LAST_WINDOW AS (PARTITION BY \"symbol\", \"type\" RANGE INTERVAL '{window}' SECOND PRECEDING),
    LAST_30_ROWS AS (PARTITION BY \"symbol\", \"type\" ROWS 30 PRECEDING)
)
WHERE \"dollar_amount\" > {threshold} * \"AvgLast{window}seconds\";
"
    )
}

/// A factor as SQL writes it: `4`, not `4.0`; `2.5` as is.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handout_defaults_give_the_handout_condition() {
        let sql = anomaly_detection(&AnalyticsOptions::default());
        assert!(sql.contains("WHERE \"symbol\" = 'BTC_USD'"));
        assert!(sql.contains("RANGE INTERVAL '30' SECOND PRECEDING"));
        assert!(sql.contains("WHERE \"dollar_amount\" > 4 * \"AvgLast30seconds\";"));
    }

    #[test]
    fn configured_values_reach_the_sql() {
        let options = AnalyticsOptions {
            symbol: "ETH_USD".into(),
            threshold: 2.5,
            window_seconds: 60,
            ..AnalyticsOptions::default()
        };
        let sql = anomaly_detection(&options);
        assert!(sql.contains("'ETH_USD'"));
        assert!(sql.contains("'60' SECOND"));
        assert!(sql.contains("> 2.5 * \"AvgLast60seconds\""));
    }
}
