//! Command-line interface definitions (clap derive); no logic here.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "jianbao",
    version,
    about = "简报 — static sites for Chinese publicity and reporting portals"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new site that builds as is
    Init {
        /// Folder to create the site in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the site into the output folder
    Build {
        /// Site root (holds site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: <root>/public)
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override base_url from site.yaml
        #[arg(long)]
        base_url: Option<String>,
        /// Include drafts
        #[arg(long)]
        drafts: bool,
        /// Print how long each build phase took
        #[arg(long)]
        timings: bool,
    },
    /// Preview the site with live reload
    Serve {
        /// Site root (holds site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on (loopback by default)
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on; the next free one is used when it is busy
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Include drafts
        #[arg(long)]
        drafts: bool,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Print how long each phase of every rebuild took
        #[arg(long)]
        timings: bool,
    },
    /// Validate content and internal links; write nothing
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        drafts: bool,
        /// Also list every document's source path beside its URL
        #[arg(long)]
        slugs: bool,
    },
    /// Print the aggregated statistics
    Stats {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Group by unit, unit type, period (year) or tag; without it, totals per metric
        #[arg(long, value_enum)]
        by: Option<ByArg>,
        #[arg(long, value_enum, default_value = "table")]
        format: FormatArg,
        #[arg(long)]
        drafts: bool,
    },
    /// Turn Word (.docx, .doc, .wps) and text files into reports
    Import {
        /// Files or folders (searched recursively)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Folder under content/reports/ to write to (default content/reports/<year>/)
        #[arg(long)]
        to: Option<PathBuf>,
        /// The unit of every document (id, name or alias)
        #[arg(long)]
        unit: Option<String>,
        /// Overwrite existing files
        #[arg(long)]
        force: bool,
        /// Print what would be written; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Without a date in the text, use the file's modified time
        #[arg(long)]
        date_from_file: bool,
    },
    /// Show which units have reported for each period, and who is overdue
    Status {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The year to show (default: the year of --today)
        #[arg(long)]
        year: Option<i32>,
        /// The day to judge due dates against, YYYY-MM-DD (default: today)
        #[arg(long)]
        today: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: FormatArg,
    },
    /// Run the government-website inspection indicators; write nothing
    Audit {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The day staleness is measured against, YYYY-MM-DD (default: today)
        #[arg(long)]
        today: Option<String>,
        /// Also fetch every external link
        #[arg(long)]
        online: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: AuditFormatArg,
    },
    /// Create a new report or article from a template
    New {
        kind: NewKindArg,
        /// Path relative to content/, e.g. reports/2024/x.md
        path: PathBuf,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum NewKindArg {
    Report,
    Article,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ByArg {
    Unit,
    Type,
    Period,
    Tag,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuditFormatArg {
    Text,
    Json,
    Html,
}
