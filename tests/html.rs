//! The HTML report in a real headless browser (Debian's `chromium`): the
//! page loads with no console error, its text holds the grades, and a
//! screenshot is taken (into a temporary folder, never the repository).
//! Without chromium the test fails and says how to install it, unless
//! `INSP_SKIP_BROWSER=1` asks to skip the browser (CI never sets it).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const HMIC: &str = "policies/hmic-crime-2014.insp";
const EXAMPLES: [&str; 4] = [
    "examples/norfolk-2014.json",
    "examples/northmoor-2014.json",
    "examples/southdown-missing-2014.json",
    "examples/westvale-2014.json",
];

/// The page for the HMIC examples.
fn report() -> String {
    let mut args = vec!["evaluate", "--format", "html", HMIC];
    args.extend(EXAMPLES);
    let output = Command::cargo_bin("insp")
        .unwrap()
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "southdown's evidence is incomplete"
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_page_is_self_contained_and_gives_every_grade_and_limit() {
    let page = report();
    for external in ["http://", "https://", "<script", "<link", "src=", "url("] {
        assert!(
            !page.contains(external),
            "the page refers outside itself: {external}"
        );
    }
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("4 organisations: 3 graded, 1 not graded"));
    assert!(
        page.contains("requires improvement (capped from good)"),
        "Northmoor's cap"
    );
    assert!(
        page.contains(
            "at most requires_improvement (line 72): recorded crime figures are unreliable"
        )
    );
    assert!(page.contains("<details><summary>How this grade was reached</summary>"));
    assert!(
        page.contains("victims.satisfaction 87.9 ± 1.4"),
        "an estimate with its margin"
    );
    assert!(page.contains("the evidence has no `burglary.national_rate`"));
}

/// Records errors and console errors into the page, and how long it took
/// to load; added to a copy of the report, never to the report itself.
const PROBE: &str = "<script>\
window.__problems = [];\
window.addEventListener('error', e => __problems.push('error: ' + e.message), true);\
const __error = console.error; console.error = (...a) => { __problems.push('console: ' + a.join(' ')); __error(...a); };\
window.addEventListener('load', () => {\
  document.documentElement.setAttribute('data-problems', JSON.stringify(__problems));\
  document.documentElement.setAttribute('data-load-ms', Math.round(performance.now()));\
});\
</script>";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("INSP_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs chromium headless on `page` with `args`, stopped after a minute.
fn browse(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    (text(output.stdout), text(output.stderr))
}

/// An attribute's value on the dumped page's `<html>` element.
fn attribute<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let start = dom.find(&format!("{name}=\""))? + name.len() + 2;
    dom[start..].split('"').next()
}

#[test]
fn the_page_loads_in_a_browser_without_console_errors_and_shows_the_grades() {
    let Some(browser) = chromium() else {
        if std::env::var_os("INSP_SKIP_BROWSER").is_some_and(|v| v == "1") {
            eprintln!("INSP_SKIP_BROWSER=1: the browser test is skipped");
            return;
        }
        panic!(
            "chromium is not installed: the HTML report is tested in a real browser. \
             Install it (`apt-get install -y chromium`, as .ci/run does), point \
             INSP_CHROMIUM at a chromium binary, or set INSP_SKIP_BROWSER=1 to skip this test"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let probed = report().replacen("<head>", &format!("<head>{PROBE}"), 1);
    std::fs::write(&page, probed).unwrap();
    let profile = dir.path().join("profile");

    let (dom, log) = browse(&browser, &profile, &page, &["--dump-dom"]);
    let problems = attribute(&dom, "data-problems").expect("the page loaded and ran its probe");
    assert_eq!(problems, "[]", "errors in the page");
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    for grade in [
        "outstanding",
        "requires improvement (capped from good)",
        "inadequate",
        "not graded",
    ] {
        assert!(dom.contains(grade), "{grade} is not on the page");
    }
    let load_ms = attribute(&dom, "data-load-ms").unwrap_or("?");

    let screenshot = dir.path().join("report.png");
    let shot = format!("--screenshot={}", screenshot.display());
    browse(
        &browser,
        &profile,
        &page,
        &[&shot, "--window-size=1200,2400"],
    );
    let size = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 10_000, "the screenshot is {size} bytes");
    // The figures the report quotes (not asserted: timing varies by machine).
    eprintln!(
        "loaded in {load_ms} ms, 0 console errors; screenshot of {size} bytes at {}",
        screenshot.display()
    );
    if let Some(keep) = std::env::var_os("INSP_KEEP_SCREENSHOT") {
        std::fs::copy(&screenshot, keep).unwrap();
    }
}
