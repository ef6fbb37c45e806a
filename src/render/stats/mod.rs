//! Statistics for readers and machines, reading the one aggregation pass
//! (`site::stats`): `views`, what the /stats/ page, unit pages and the home
//! page show (with their SVG charts); `export`, `/stats/stats.json` and
//! `/stats/stats.csv`; `table`, the text the `jianbao stats` command prints.

mod export;
mod table;
mod views;

pub(crate) use export::{calls_stats, csv_line, json_reusing, unit_key, StatsText};
pub use export::{csv, json_text, StatsJson, CSV_HEADER};
pub(crate) use table::table;
pub use table::{command_output, Format};
pub use views::{
    page, totals, unit, BreakdownView, Chart, ChartRow, GroupView, MetricSection, MetricValue,
    StatsPage, UnitStats,
};
