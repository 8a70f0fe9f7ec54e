//! insp values to Rhai values and back: numbers as decimals, levels as their
//! names, estimates as `#{value: .., margin: ..}`, grades as their names,
//! by the scales the caller gives.

use crate::value::{GradeScale, LevelScale, Type, Value};
use rhai::{Dynamic, Map};
use rust_decimal::Decimal;

/// A value as a helper receives it. Text arrives as `text` (the checker only
/// lets text fields be passed).
pub fn to_dynamic(
    (grades, scales): (&GradeScale, &[LevelScale]),
    value: Value,
    text: Option<&str>,
) -> Dynamic {
    match value {
        Value::Number(n) => Dynamic::from_decimal(n),
        Value::Bool(b) => Dynamic::from_bool(b),
        Value::Level { scale, index } => {
            scales[scale as usize].levels[index as usize].clone().into()
        }
        Value::Estimate { value, margin } => {
            let mut map = Map::new();
            map.insert("value".into(), Dynamic::from_decimal(value));
            map.insert("margin".into(), Dynamic::from_decimal(margin));
            Dynamic::from_map(map)
        }
        Value::Grade(rank) => grades.name(rank).to_string().into(),
        Value::Text => text.unwrap_or_default().to_string().into(),
        // INVARIANT: a not-assessed argument stops evaluation before the call
        // (eval/mod.rs, `ExprKind::Field`), so a helper never receives one.
        Value::NotAssessed => Dynamic::UNIT,
    }
}

/// A helper's result as the call site expects it, or what went wrong.
pub fn from_dynamic(
    (grades, scales): (&GradeScale, &[LevelScale]),
    result: &Dynamic,
    expected: &Type,
) -> Result<Value, String> {
    let found = result.type_name();
    let wrong = || {
        format!(
            "it returned {} ({found}), but the policy expects {}",
            show(result),
            expected.describe(scales)
        )
    };
    match expected {
        Type::Number(_) => number(result).map(Value::Number).ok_or_else(wrong),
        Type::Bool => result.as_bool().map(Value::Bool).map_err(|_| wrong()),
        Type::Level(scale) => {
            let name = result.clone().into_string().map_err(|_| wrong())?;
            let index = scales[*scale]
                .levels
                .iter()
                .position(|l| *l == name)
                .ok_or_else(wrong)?;
            Ok(Value::Level {
                scale: *scale as u16,
                index: index as u16,
            })
        }
        Type::Grade => {
            let name = result.clone().into_string().map_err(|_| wrong())?;
            grades.rank(&name).map(Value::Grade).ok_or_else(wrong)
        }
        Type::Estimate(_) => {
            let map = result.read_lock::<Map>().ok_or_else(wrong)?;
            let part = |key: &str| map.get(key).and_then(number);
            match (part("value"), part("margin")) {
                (Some(value), Some(margin)) if !margin.is_sign_negative() => {
                    Ok(Value::Estimate { value, margin })
                }
                _ => Err(wrong()),
            }
        }
        Type::Text => Err(wrong()),
    }
}

fn number(value: &Dynamic) -> Option<Decimal> {
    value
        .as_decimal()
        .ok()
        .or_else(|| value.as_int().ok().map(Decimal::from))
}

fn show(value: &Dynamic) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}
