//! The HTML report: one self-contained page (no script, no network, no
//! external asset) to share with people who never saw the policy: the
//! summary as a table and the grade distribution as a chart, then a section
//! per organisation with each judgement's grade and reasons, every cap and
//! floor that changed a grade, each number the policy compares drawn against
//! what it is compared with (an estimate with its interval), and the full
//! explanation folded away. Sections are rendered as organisations are
//! graded; the page is put together once the summary is known.

use super::rows::rows;
use super::summary::{Cell, Summary, distribution_columns};
use crate::eval::{Assessment, Halt};
use crate::evidence::Evidence;
use crate::evidence::records::Record;
use crate::policy::{Expr, ExprKind, Policy, visit};
use crate::value::{Value, format_decimal};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write;

/// The whole page: the summary, then the sections given, in order.
pub fn page(policy: &Policy, summary: &Summary, sections: &[String]) -> String {
    let title = match policy.name.as_str() {
        "" => "Grades".to_string(),
        name => format!("{name} — grades"),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>{}</h1>\
         <p>Graded with <code>{}</code>. {}.</p></header>\n",
        escape(&title),
        escape(&title),
        escape(policy.source.name()),
        escape(&summary.headline())
    );
    summary_section(&mut out, policy, summary);
    for section in sections {
        out.push_str(section);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn summary_section(out: &mut String, policy: &Policy, summary: &Summary) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"wide\"><table class=\"summary\">\n<thead><tr><th>Organisation</th>");
    for j in &policy.judgements {
        let _ = write!(
            out,
            "<th title=\"{}\">{}</th>",
            escape(&j.title),
            escape(&j.id.replace('_', " "))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (index, o) in summary.organisations.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><th><a href=\"#org-{index}\">{}</a></th>",
            escape(o.label())
        );
        for cell in &o.cells {
            let words = super::summary::cell_words(policy, *cell);
            let _ = write!(
                out,
                "<td class=\"{}\">{}</td>",
                cell_class(policy, *cell),
                escape(&words)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n<h3>Grades per judgement</h3>\n");
    distribution_chart(out, policy, summary);
    let mut not_graded = summary.not_graded().peekable();
    if not_graded.peek().is_some() {
        out.push_str("<h3>Not graded</h3>\n<ul class=\"not-graded\">\n");
        for o in not_graded {
            let why = o.why.as_deref().unwrap_or_default();
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                escape(&o.evidence),
                escape(why)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// A horizontal stacked bar per judgement: how many organisations got each
/// grade, with a legend.
fn distribution_chart(out: &mut String, policy: &Policy, summary: &Summary) {
    let columns = distribution_columns(policy);
    let counts = summary.distribution(policy);
    let (label_width, bar_width, row_height) = (180.0, 420.0, 26.0);
    let height = row_height * counts.len() as f64 + 8.0;
    let _ = writeln!(
        out,
        "<svg class=\"distribution\" role=\"img\" aria-label=\"Grades per judgement\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = label_width + bar_width + 10.0
    );
    let total = summary.organisations.len().max(1) as f64;
    for (row, (j, counts)) in policy.judgements.iter().zip(&counts).enumerate() {
        let y = row as f64 * row_height + 4.0;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\" class=\"axis\">{}</text>",
            y + 15.0,
            escape(&j.id.replace('_', " "))
        );
        let mut x = label_width;
        for (column, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let width = bar_width * count as f64 / total;
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" class=\"{}\"><title>{}: {count} {}</title></rect>",
                column_class(policy, column),
                escape(&columns[column].replace('_', " ")),
                escape(&j.id)
            );
            if width > 18.0 {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{}\" class=\"count\">{count}</text>",
                    x + width / 2.0,
                    y + 15.0
                );
            }
            x += width;
        }
    }
    out.push_str("</svg>\n<p class=\"legend\">");
    for (column, name) in columns.iter().enumerate() {
        let _ = write!(
            out,
            "<span><i class=\"{}\"></i>{}</span> ",
            column_class(policy, column),
            escape(&name.replace('_', " "))
        );
    }
    out.push_str("</p>\n");
}

/// The CSS class of a summary cell: its grade's colour, or grey.
fn cell_class(policy: &Policy, cell: Cell) -> String {
    match cell {
        Cell::Grade(rank) => grade_class(policy, rank),
        Cell::NotAssessed => "na".to_string(),
        Cell::NotGraded => "ng".to_string(),
    }
}

/// A grade's colour class: the scale spread over five colours, the best
/// green and the worst red, whatever the number of grades.
fn grade_class(policy: &Policy, rank: u8) -> String {
    let last = policy.grades.names.len().saturating_sub(1).max(1);
    let from_best = last.saturating_sub(rank as usize);
    format!("g{}", (from_best * 4 + last / 2) / last)
}

/// The class of a distribution column (grades best first, then not
/// assessed and not graded).
fn column_class(policy: &Policy, column: usize) -> String {
    let grades = policy.grades.names.len();
    match column.checked_sub(grades) {
        None => grade_class(policy, (grades - 1 - column) as u8),
        Some(0) => "na".to_string(),
        Some(_) => "ng".to_string(),
    }
}

/// One organisation's section; `index` is its place in the summary (the
/// anchor the summary links to). Its evidence is read again from `record`
/// to draw the numbers the policy compares.
pub fn section(policy: &Policy, record: &Record, assessment: &Assessment, index: usize) -> String {
    let mut out = String::new();
    let name = assessment.subject.as_deref().unwrap_or(&assessment.path);
    let _ = writeln!(
        out,
        "<section class=\"organisation\" id=\"org-{index}\">\n<h2>{}</h2>\n<p class=\"evidence\">Evidence: <code>{}</code></p>",
        escape(name),
        escape(&assessment.path)
    );
    let evidence = evidence_of(policy, record);
    for (j, row) in rows(policy, assessment).iter().enumerate() {
        let class = row
            .graded
            .map_or("ng".to_string(), |g| grade_class(policy, g.grade));
        let _ = writeln!(
            out,
            "<article class=\"judgement\">\n<h3>{} <span class=\"grade {class}\">{}</span></h3>\n<p class=\"title\">{}</p>",
            escape(&row.id.replace('_', " ")),
            escape(&row.status_words),
            escape(row.title)
        );
        if !row.because.is_empty() {
            let _ = writeln!(
                out,
                "<p class=\"because\">Because {}.</p>",
                escape(&row.because)
            );
        }
        if let Some(graded) = row.graded.filter(|g| !g.limited_by.is_empty()) {
            let verb = if graded.grade < graded.resolved {
                "Capped"
            } else {
                "Raised"
            };
            let _ = writeln!(
                out,
                "<ul class=\"limits\"><li class=\"lead\">{verb} from {} by:</li>",
                escape(&policy.grades.words(graded.resolved))
            );
            for limit in &row.limits {
                let _ = writeln!(out, "<li>{}</li>", escape(&limit.with_reason()));
            }
            out.push_str("</ul>\n");
        }
        if let Some(evidence) = &evidence {
            comparison_charts(&mut out, policy, evidence, j);
        }
        if let Some(trace) = super::text::trace_of(policy, assessment, j) {
            let _ = writeln!(
                out,
                "<details><summary>How this grade was reached</summary><pre>{}</pre></details>",
                escape(&trace)
            );
        }
        out.push_str("</article>\n");
    }
    let errors: Vec<_> = assessment
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if !errors.is_empty() {
        out.push_str("<h3>Problems with the evidence</h3>\n<ul class=\"errors\">\n");
        for d in errors {
            let _ = writeln!(
                out,
                "<li><code>{}</code> {}</li>",
                d.code,
                escape(&d.message)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The record's evidence bound to the policy, with its lets' values, or
/// `None` when it has errors (then there is nothing to draw).
/// Evidence bound to the policy, and the values of its lets.
type Bound = (Evidence, Vec<Result<Value, Halt>>);

fn evidence_of(policy: &Policy, record: &Record) -> Option<Bound> {
    let document = record.document().ok()?;
    let evidence = Evidence::load_document(policy, &record.source, &document)
        .ok()?
        .evidence;
    let mut lets = Vec::new();
    policy.evaluate_lets(&evidence, &mut lets);
    Some((evidence, lets))
}

/// A number as drawn: a point and, for an estimate, its margin.
struct Point {
    name: String,
    value: Decimal,
    margin: Option<Decimal>,
    constant: bool,
}

fn point(
    policy: &Policy,
    bound: &(Evidence, Vec<Result<Value, Halt>>),
    expr: &Expr,
) -> Option<Point> {
    let (evidence, lets) = bound;
    let (name, value, constant) = match &expr.kind {
        ExprKind::Field(slot) => (
            policy.fields[*slot].path.clone(),
            evidence.value(*slot),
            false,
        ),
        ExprKind::Let(index) => (
            policy.lets[*index].name.clone(),
            lets.get(*index)?.clone().ok()?,
            false,
        ),
        ExprKind::Const(value) => (String::new(), *value, true),
        ExprKind::PointValue(inner) => return point(policy, bound, inner),
        _ => return None,
    };
    let (value, margin) = match value {
        Value::Number(n) => (n, None),
        Value::Estimate { value, margin } => (value, Some(margin)),
        _ => return None,
    };
    let name = if constant {
        format_decimal(value)
    } else {
        name
    };
    Some(Point {
        name,
        value,
        margin,
        constant,
    })
}

/// Each number compared in the judgement's rules, caps and floors, drawn
/// for this organisation against everything it is compared with: one chart
/// per number (`crime_ratio` against 0.7, 0.85 and 1.05).
fn comparison_charts(out: &mut String, policy: &Policy, bound: &Bound, judgement: usize) {
    let j = &policy.judgements[judgement];
    let mut charts: Vec<(Point, Vec<(&str, Point)>)> = Vec::new();
    for rule in j.rules.iter().chain(&j.caps).chain(&j.floors) {
        visit(&rule.condition, &mut |node| {
            let (ExprKind::Compare(_, a, b) | ExprKind::Estimate(_, a, b)) = &node.kind else {
                return;
            };
            let (Some(a), Some(b)) = (point(policy, bound, a), point(policy, bound, b)) else {
                return;
            };
            // Evidence first, whichever side it was written on.
            let (a, b) = if a.constant { (b, a) } else { (a, b) };
            if a.constant {
                return;
            }
            let criterion = policy.source.slice(node.span).trim_matches(['(', ')']);
            match charts.iter_mut().find(|(p, _)| p.name == a.name) {
                Some((_, against)) if against.iter().any(|(_, q)| q.name == b.name) => {}
                Some((_, against)) => against.push((criterion, b)),
                None => charts.push((a, vec![(criterion, b)])),
            }
        });
    }
    if charts.is_empty() {
        return;
    }
    out.push_str("<div class=\"charts\">");
    for (value, against) in &charts {
        comparison_chart(out, value, against);
    }
    out.push_str("</div>\n");
}

fn comparison_chart(out: &mut String, value: &Point, against: &[(&str, Point)]) {
    // Drawn in f64: the ends of an interval at the edge of the decimal
    // range overflow a decimal (which panics), not a float.
    let float = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let ends = |p: &Point| {
        let (value, margin) = (float(p.value), p.margin.map_or(0.0, float));
        [value - margin, value + margin]
    };
    let all: Vec<f64> = std::iter::once(value)
        .chain(against.iter().map(|(_, p)| p))
        .flat_map(ends)
        .collect();
    let (mut lo, mut hi) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.15).max(hi.abs().max(1.0) * 0.05);
    lo -= pad;
    hi += pad;
    let (left, width) = (8.0, 264.0);
    let x = |v: f64| left + (v - lo) / (hi - lo) * width;
    let criteria: Vec<&str> = against.iter().map(|(c, _)| *c).collect();
    let _ = write!(
        out,
        "<figure class=\"comparison\"><svg width=\"280\" height=\"34\" viewBox=\"0 0 280 34\" role=\"img\" aria-label=\"{}\">\
         <line x1=\"{left}\" y1=\"20\" x2=\"{}\" y2=\"20\" class=\"axis-line\"/>",
        escape(&criteria.join("; ")),
        left + width
    );
    let points = against
        .iter()
        .map(|(_, p)| (p, "comparator"))
        .chain([(value, "value")]);
    for (p, class) in points {
        let [low, high] = ends(p);
        let at = x(float(p.value));
        if p.constant {
            let _ = write!(
                out,
                "<line x1=\"{at:.1}\" y1=\"8\" x2=\"{at:.1}\" y2=\"32\" class=\"threshold\"><title>{}</title></line>",
                escape(&p.name)
            );
            continue;
        }
        if p.margin.is_some() {
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"20\" x2=\"{:.1}\" y2=\"20\" class=\"interval {class}\"/>",
                x(low),
                x(high)
            );
        }
        let _ = write!(
            out,
            "<circle cx=\"{at:.1}\" cy=\"20\" r=\"5\" class=\"{class}\"><title>{}: {}</title></circle>",
            escape(&p.name),
            escape(&shown(p))
        );
    }
    let compared: Vec<String> = against
        .iter()
        .map(|(criterion, p)| {
            let what = if p.constant {
                escape(&p.name)
            } else {
                format!("{} {}", escape(&p.name), escape(&shown(p)))
            };
            format!(
                "<span class=\"comparator\">{what}</span> (<code>{}</code>)",
                escape(criterion)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "</svg><figcaption><span class=\"value\">{} {}</span> against {}</figcaption></figure>",
        escape(&value.name),
        escape(&shown(value)),
        compared.join(", ")
    );
}

fn shown(p: &Point) -> String {
    match p.margin {
        Some(margin) => format!("{} ± {}", format_decimal(p.value), format_decimal(margin)),
        None => format_decimal(p.value),
    }
}

/// Text safe in HTML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's style: grades coloured best (green) to worst (red), then not
/// assessed and not graded in greys; readable in print.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:1.2rem 0 .2rem}
table.summary{border-collapse:collapse;width:100%;font-size:.92rem}
table.summary th,table.summary td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left}
table.summary thead th{background:#f4f4f6}
.g0{background:#1b7f3b;color:#fff;fill:#1b7f3b}.g1{background:#7cc36b;fill:#7cc36b}
.g2{background:#f3d03c;fill:#f3d03c}.g3{background:#f08a3c;fill:#f08a3c}
.g4{background:#d9412b;color:#fff;fill:#d9412b}.na{background:#d4d4da;fill:#d4d4da}
.ng{background:#6b6b73;color:#fff;fill:#6b6b73}
svg text{font-size:12px;fill:#1d1d1f}svg text.count{fill:#1d1d1f;text-anchor:middle;font-weight:600}
.grade{padding:.1rem .5rem;border-radius:.3rem;font-size:.9rem;font-weight:600;margin-left:.4rem}
article.judgement{border-left:4px solid #e3e3e8;padding:.1rem 0 .4rem 1rem;margin:1rem 0}
p.title{color:#555;margin:.1rem 0}p.evidence{color:#555}
ul.limits{margin:.3rem 0;padding-left:1.2rem}ul.limits li.lead{list-style:none;margin-left:-1.2rem;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:.4rem 1.5rem}
figure.comparison{margin:.3rem 0;font-size:.85rem}figure.comparison figcaption{color:#333}
.axis-line{stroke:#999;stroke-width:1}.threshold{stroke:#d9412b;stroke-width:2;stroke-dasharray:3 2}
circle.value{fill:#1f5fbf}circle.comparator{fill:#fff;stroke:#555;stroke-width:2}
line.interval{stroke-width:4;stroke-linecap:round;opacity:.45}line.interval.value{stroke:#1f5fbf}line.interval.comparator{stroke:#555}
span.value{color:#1f5fbf;font-weight:600}span.comparator{color:#555;font-weight:600}
details{margin:.4rem 0}details pre{background:#f7f7f9;padding:.6rem;overflow-x:auto;font-size:.8rem}
ul.errors li,ul.not-graded li{margin:.2rem 0}
div.wide{overflow-x:auto}p.legend{font-size:.8rem;margin:.2rem 0}p.legend span{margin-right:.8rem;white-space:nowrap}
p.legend i{display:inline-block;width:.75rem;height:.75rem;margin-right:.3rem;vertical-align:-1px}
";
