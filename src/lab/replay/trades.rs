//! The lab's trade file, read once, each trade with its Kinesis payload
//! built up front (the send loop then only copies bytes).
//!
//! The CSV is the course's (`crypto_trades_20201001.csv`): a header
//! `transaction_ts,date,symbol,price,amount,dollar_amount,type,trans_id`,
//! then one trade a line. Columns are found by name; `date` is not sent, as
//! the course generator does not send it.

use std::path::Path;

use super::pyjson;

/// One trade, as the course generator builds its event from a CSV row.
#[derive(Debug, Clone)]
pub struct Trade {
    pub transaction_ts: i64,
    pub symbol: String,
    pub price: f64,
    pub amount: f64,
    pub dollar_amount: f64,
    /// `buy` or `sell` (the CSV's `type`).
    pub kind: String,
    pub trans_id: i64,
    /// `json.dumps(event) + "\n"`, the record's data.
    pub payload: Vec<u8>,
}

impl Trade {
    /// The course generator's payload: `json.dumps` of a dict in this key
    /// order, and a newline (Firehose concatenates records, and the
    /// crawler's JSON classifier reads one object a line).
    fn build_payload(&mut self) {
        let mut s = String::with_capacity(160);
        s.push_str("{\"transaction_ts\": ");
        s.push_str(&self.transaction_ts.to_string());
        s.push_str(", \"symbol\": ");
        pyjson::string(&self.symbol, &mut s);
        for (key, value) in [
            ("price", self.price),
            ("amount", self.amount),
            ("dollar_amount", self.dollar_amount),
        ] {
            s.push_str(", \"");
            s.push_str(key);
            s.push_str("\": ");
            s.push_str(&pyjson::float(value));
        }
        s.push_str(", \"type\": ");
        pyjson::string(&self.kind, &mut s);
        s.push_str(", \"trans_id\": ");
        s.push_str(&self.trans_id.to_string());
        s.push_str("}\n");
        self.payload = s.into_bytes();
    }
}

/// Why the trade file cannot be replayed; the message names the file, the
/// line and the column.
#[derive(Debug, thiserror::Error)]
pub enum TradesError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Bad {
        path: String,
        line: u64,
        message: String,
    },
    #[error("`{0}` has a header but no trades")]
    Empty(String),
}

const COLUMNS: [&str; 7] = [
    "transaction_ts",
    "symbol",
    "price",
    "amount",
    "dollar_amount",
    "type",
    "trans_id",
];

/// Reads every trade of the file, in file order.
pub fn read(path: &Path) -> Result<Vec<Trade>, TradesError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TradesError::Io {
        path: shown.clone(),
        source,
    })?;
    parse(&shown, &bytes)
}

/// Parses a trade file's bytes; `path` is only used in messages.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Vec<Trade>, TradesError> {
    let bad = |line: u64, message: String| TradesError::Bad {
        path: path.to_owned(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| bad(1, format!("cannot read the header: {e}")))?
        .clone();
    let mut index = [0usize; COLUMNS.len()];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                bad(
                    1,
                    format!(
                        "no `{name}` column (the header is `{}`; the course's file has \
                     transaction_ts,date,symbol,price,amount,dollar_amount,type,trans_id)",
                        header.iter().collect::<Vec<_>>().join(",")
                    ),
                )
            })?;
    }
    let mut trades = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            bad(line, e.to_string())
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize| record.get(index[i]).unwrap_or("").trim();
        // Python's int() and float() as the course generator applies them;
        // a value they would turn into NaN or infinity is refused, since
        // json.dumps would then send something that is not JSON.
        let int = |i: usize| {
            field(i).parse::<i64>().map_err(|_| {
                bad(
                    line,
                    format!("`{}` is not a whole number: `{}`", COLUMNS[i], field(i)),
                )
            })
        };
        let float = |i: usize| match field(i).parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(
                line,
                format!("`{}` is not a finite number: `{}`", COLUMNS[i], field(i)),
            )),
        };
        let mut trade = Trade {
            transaction_ts: int(0)?,
            symbol: field(1).to_owned(),
            price: float(2)?,
            amount: float(3)?,
            dollar_amount: float(4)?,
            kind: field(5).to_owned(),
            trans_id: int(6)?,
            payload: Vec::new(),
        };
        if trade.symbol.is_empty() {
            return Err(bad(line, "`symbol` is empty".to_owned()));
        }
        trade.build_payload();
        trades.push(trade);
    }
    if trades.is_empty() {
        return Err(TradesError::Empty(path.to_owned()));
    }
    Ok(trades)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "transaction_ts,date,symbol,price,amount,dollar_amount,type,trans_id\n";

    #[test]
    fn payload_is_the_course_generators() {
        let csv = format!(
            "{HEAD}1601517611,2020-10-01 2:00,BTC_USD,10853.41,0.003,123456789,buy,124292345\n"
        );
        let trades = parse("t.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(trades[0].payload.clone()).unwrap(),
            "{\"transaction_ts\": 1601517611, \"symbol\": \"BTC_USD\", \"price\": 10853.41, \
             \"amount\": 0.003, \"dollar_amount\": 123456789.0, \"type\": \"buy\", \
             \"trans_id\": 124292345}\n"
        );
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let csv = format!("{HEAD}1,d,BTC_USD,1,1,1,buy,1\n2,d,BTC_USD,x,1,1,buy,2\n");
        let err = parse("t.csv", csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "t.csv:3: `price` is not a finite number: `x`");
        let csv = format!("{HEAD}1,d,BTC_USD,1,1,nan,buy,1\n");
        let err = parse("t.csv", csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err,
            "t.csv:2: `dollar_amount` is not a finite number: `nan`"
        );
        let err = parse("t.csv", b"a,b\n1,2\n").unwrap_err().to_string();
        assert!(
            err.starts_with("t.csv:1: no `transaction_ts` column"),
            "{err}"
        );
        let err = parse("t.csv", HEAD.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "`t.csv` has a header but no trades");
    }
}
