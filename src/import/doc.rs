//! `.doc` and `.wps` (binary Word and WPS files) through LibreOffice:
//! `soffice --headless --convert-to docx`, in a private profile and a
//! temporary folder of its own (so a running LibreOffice, or another
//! import, does not interfere), with a time limit.

use crate::diagnostics::{text, Text};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest one conversion may take.
const TIMEOUT: Duration = Duration::from_secs(180);

/// `soffice` (or `libreoffice`) on the PATH.
pub fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: &[&str] = if cfg!(windows) {
        &["soffice.exe", "soffice.com"]
    } else {
        &["soffice", "libreoffice"]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

pub fn missing() -> Text {
    text!("LibreOffice is needed to read .doc and .wps files, and `soffice` is not on the PATH; install it (Debian/Ubuntu: `sudo apt-get install libreoffice-writer-nogui`; Windows and macOS: https://www.libreoffice.org/) or save the file as .docx in Word/WPS";
          "读取 .doc、.wps 文件需要 LibreOffice，但找不到 `soffice` 命令；请安装（Debian/Ubuntu：`sudo apt-get install libreoffice-writer-nogui`；Windows、macOS：https://www.libreoffice.org/），或在 Word/WPS 中另存为 .docx")
}

/// A private temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> std::io::Result<TempDir> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("jianbao-import-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir)?;
    Ok(TempDir(dir))
}

/// `file:///tmp/x` with anything but unreserved characters percent-encoded.
fn file_url(p: &Path) -> String {
    let mut s = String::from("file://");
    let shown = p.to_string_lossy().replace('\\', "/");
    if !shown.starts_with('/') {
        s.push('/');
    }
    for b in shown.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Converts `path` (a .doc or .wps) and returns the .docx bytes.
pub fn to_docx(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, Text> {
    let exe = soffice().ok_or_else(missing)?;
    let io = |e: std::io::Error| text!("cannot convert with LibreOffice: {}", e; "无法用 LibreOffice 转换：{}", e);
    let tmp = temp_dir().map_err(io)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("doc")
        .to_ascii_lowercase();
    let input = tmp.0.join(format!("input.{ext}"));
    std::fs::write(&input, bytes).map_err(io)?;
    let out = tmp.0.join("out");
    let mut child = Command::new(&exe)
        .arg(format!(
            "-env:UserInstallation={}",
            file_url(&tmp.0.join("profile"))
        ))
        .args([
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
        ])
        .arg(&out)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(io)? {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(
                text!("LibreOffice did not finish converting within {} s", TIMEOUT.as_secs();
                             "LibreOffice 在 {} 秒内未完成转换", TIMEOUT.as_secs()),
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    match std::fs::read(out.join("input.docx")) {
        Ok(b) => Ok(b),
        Err(_) => {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            let why = err
                .lines()
                .find(|l| l.to_lowercase().contains("error"))
                .unwrap_or("")
                .trim()
                .to_string();
            Err(
                text!("LibreOffice could not convert the file ({}{}): damaged, password-protected or not a Word/WPS document", status, if why.is_empty() { String::new() } else { format!("; {why}") };
                      "LibreOffice 无法转换该文件（{}{}）：文件已损坏、有密码保护，或不是 Word/WPS 文档", status, if why.is_empty() { String::new() } else { format!("；{why}") }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls() {
        assert_eq!(file_url(Path::new("/tmp/a b/p")), "file:///tmp/a%20b/p");
    }
}
