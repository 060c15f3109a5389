//! The list endpoints' query string: RQL appended directly (`?ilike(name,*smith*)&limit=50`),
//! parsed the way the vendor's parser does it: the query is percent-decoded first, then read as
//! RQL, where `&` and `,` join, `"..."` or `'...'` is a literal with no escape character, and a
//! bare word ends at `(`, `)`, `,` or `&`. Supported: `eq`, `ne`, `like`, `ilike` (`*` wildcard),
//! `and`, `or`, `not`, `field=value`, and `limit`/`offset` (limit capped at 100). `order` and
//! `select` are accepted and ignored.

use percent_encoding::percent_decode_str;
use serde_json::Value;

pub(super) const MAX_LIMIT: usize = 100;
const DEFAULT_LIMIT: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Filter {
    Eq(String, String),
    Ne(String, String),
    Like { field: String, pattern: String, ignore_case: bool },
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug)]
pub(super) struct ListQuery {
    pub filter: Option<Filter>,
    pub limit: usize,
    pub offset: usize,
}

/// A parsed argument: a call, a bare word or a quoted literal.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Call(String, Vec<Node>),
    Word(String),
    Quoted(String),
}

/// Parses a raw query string; `fields` are the properties that may be filtered on.
pub(super) fn parse_query(raw: Option<&str>, fields: &[&str]) -> Result<ListQuery, String> {
    let decoded = percent_decode_str(&raw.unwrap_or_default().replace('+', " ")).decode_utf8_lossy().into_owned();
    let mut filters = Vec::new();
    let mut limit = DEFAULT_LIMIT;
    let mut offset = 0;
    for part in split_top_level(&decoded)? {
        if part.is_empty() {
            continue;
        }
        if let Some((key, value)) = shortcut(&part) {
            match key {
                "limit" => limit = number("limit", value)?.min(MAX_LIMIT),
                "offset" => offset = number("offset", value)?,
                "order" | "select" => {}
                field => filters.push(Filter::Eq(checked_field(field, fields)?, unquote(value))),
            }
            continue;
        }
        let mut parser = Parser { text: &part, position: 0 };
        let node = parser.node()?;
        if parser.position != part.len() {
            return Err(format!("Unexpected text after position {} in '{part}'.", parser.position));
        }
        filters.push(to_filter(node, fields)?);
    }
    let filter = match filters.len() {
        0 => None,
        1 => filters.pop(),
        _ => Some(Filter::And(filters)),
    };
    Ok(ListQuery { filter, limit, offset })
}

/// `key=value` outside any call, e.g. `limit=50`.
fn shortcut(part: &str) -> Option<(&str, &str)> {
    let (key, value) = part.split_once('=')?;
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    plain.then_some((key, value))
}

fn unquote(value: &str) -> String {
    let quoted = value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"')) || (value.starts_with('\'') && value.ends_with('\'')));
    if quoted {
        value[1..value.len() - 1].to_string()
    } else {
        value.to_string()
    }
}

fn number(name: &str, value: &str) -> Result<usize, String> {
    value.trim().parse::<usize>().map_err(|_| format!("'{name}' must be a whole number of 0 or more, not '{value}'."))
}

/// Splits on `&` outside quotes and parentheses.
fn split_top_level(text: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.checked_sub(1).ok_or("Unbalanced ')' in the query.")?,
            (None, '&') if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if quote.is_some() {
        return Err("A quoted value is not closed.".into());
    }
    if depth != 0 {
        return Err("Unbalanced '(' in the query.".into());
    }
    parts.push(current);
    Ok(parts)
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.position..].chars().next()
    }

    fn node(&mut self) -> Result<Node, String> {
        if let Some(quote @ ('"' | '\'')) = self.peek() {
            let start = self.position + 1;
            let end =
                self.text[start..].find(quote).map(|offset| start + offset).ok_or("A quoted value is not closed.")?;
            self.position = end + 1;
            return Ok(Node::Quoted(self.text[start..end].to_string()));
        }
        let start = self.position;
        while let Some(c) = self.peek() {
            if matches!(c, '(' | ')' | ',' | '&' | '"' | '\'') {
                break;
            }
            self.position += c.len_utf8();
        }
        let word = self.text[start..self.position].to_string();
        if self.peek() != Some('(') {
            return Ok(Node::Word(word));
        }
        self.position += 1;
        let mut args = Vec::new();
        loop {
            args.push(self.node()?);
            match self.peek() {
                Some(',' | '&') => self.position += 1,
                Some(')') => {
                    self.position += 1;
                    return Ok(Node::Call(word, args));
                }
                _ => return Err(format!("Expected ',' or ')' after an argument of '{word}'.")),
            }
        }
    }
}

fn checked_field(field: &str, fields: &[&str]) -> Result<String, String> {
    if fields.contains(&field) {
        Ok(field.to_string())
    } else {
        Err(format!("Property '{field}' can't be used in a filter here. Known properties: {}.", fields.join(", ")))
    }
}

fn to_filter(node: Node, fields: &[&str]) -> Result<Filter, String> {
    let Node::Call(name, args) = node else {
        return Err("Expected an operator like eq(field,value).".into());
    };
    let pair = |args: Vec<Node>| -> Result<(String, String), String> {
        match <[Node; 2]>::try_from(args) {
            Ok([Node::Word(field), Node::Word(value) | Node::Quoted(value)]) => {
                Ok((checked_field(&field, fields)?, value))
            }
            _ => Err(format!("'{name}' takes a property and a value, like {name}(name,\"value\").")),
        }
    };
    let children = |args: Vec<Node>| args.into_iter().map(|arg| to_filter(arg, fields)).collect::<Result<Vec<_>, _>>();
    match name.as_str() {
        "eq" => pair(args).map(|(field, value)| Filter::Eq(field, value)),
        "ne" => pair(args).map(|(field, value)| Filter::Ne(field, value)),
        "like" | "ilike" => {
            pair(args).map(|(field, pattern)| Filter::Like { field, pattern, ignore_case: name == "ilike" })
        }
        "and" => children(args).map(Filter::And),
        "or" => children(args).map(Filter::Or),
        "not" => match children(args)?.as_slice() {
            [only] => Ok(Filter::Not(Box::new(only.clone()))),
            _ => Err("'not' takes exactly one expression.".into()),
        },
        other => Err(format!("Unknown operator '{other}'.")),
    }
}

fn text_at(json: &Value, field: &str) -> Option<String> {
    match field.split('.').try_fold(json, |value, segment| value.get(segment))? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// `*` matches any run of characters.
fn wildcard_match(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| wildcard_match(rest, &text[skip..])),
        Some((c, rest)) => text.split_first().is_some_and(|(t, tail)| t == c && wildcard_match(rest, tail)),
    }
}

impl Filter {
    pub(super) fn matches(&self, json: &Value) -> bool {
        match self {
            Filter::Eq(field, value) => text_at(json, field).is_some_and(|text| &text == value),
            Filter::Ne(field, value) => text_at(json, field).is_none_or(|text| &text != value),
            Filter::Like { field, pattern, ignore_case } => text_at(json, field).is_some_and(|text| {
                let fold = |s: &str| if *ignore_case { s.to_lowercase() } else { s.to_string() };
                let pattern: Vec<char> = fold(pattern).chars().collect();
                let text: Vec<char> = fold(&text).chars().collect();
                wildcard_match(&pattern, &text)
            }),
            Filter::And(filters) => filters.iter().all(|f| f.matches(json)),
            Filter::Or(filters) => filters.iter().any(|f| f.matches(json)),
            Filter::Not(filter) => !filter.matches(json),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[&str] = &["name", "status", "account.id"];

    fn filter(query: &str) -> Filter {
        parse_query(Some(query), FIELDS).unwrap().filter.unwrap()
    }

    #[test]
    fn reads_the_vendors_documented_forms() {
        assert_eq!(filter("eq(account.id,\"ACC-1234-5678\")"), Filter::Eq("account.id".into(), "ACC-1234-5678".into()));
        assert_eq!(
            filter("ilike(name,*smith*)&limit=50"),
            Filter::Like { field: "name".into(), pattern: "*smith*".into(), ignore_case: true }
        );
        assert!(matches!(filter("and(eq(status,Active),ilike(name,*x*))"), Filter::And(parts) if parts.len() == 2));
        assert_eq!(filter("status=Active"), Filter::Eq("status".into(), "Active".into()));
    }

    #[test]
    fn quoted_values_keep_delimiters_as_data_after_decoding() {
        assert_eq!(
            filter("eq(name,%22Smith%20%26%20Partners%22)"),
            Filter::Eq("name".into(), "Smith & Partners".into())
        );
        assert_eq!(filter("eq(name,'a%22b,c)')"), Filter::Eq("name".into(), "a\"b,c)".into()));
    }

    #[test]
    fn an_unquoted_ampersand_splits_the_query() {
        assert!(parse_query(Some("eq(name,Smith%20%26%20Partners)"), FIELDS).is_err());
    }

    #[test]
    fn paging_is_read_and_the_limit_capped() {
        let query = parse_query(Some("limit=500&offset=3"), FIELDS).unwrap();
        assert_eq!((query.limit, query.offset), (100, 3));
        assert!(parse_query(Some("limit=-1"), FIELDS).is_err());
        assert_eq!(parse_query(None, FIELDS).unwrap().limit, 10);
    }

    #[test]
    fn unknown_properties_and_operators_are_refused() {
        assert!(parse_query(Some("eq(password,x)"), FIELDS).is_err());
        assert!(parse_query(Some("regex(name,x)"), FIELDS).is_err());
        assert!(parse_query(Some("eq(name,\"x)"), FIELDS).is_err());
    }

    #[test]
    fn filters_match_like_the_vendor() {
        let item = json!({"name": "Jan Smith", "status": "Active", "account": {"id": "ACC-1"}});
        assert!(filter("ilike(name,*SMITH*)").matches(&item));
        assert!(!filter("like(name,*SMITH*)").matches(&item));
        assert!(filter("and(eq(status,Active),eq(account.id,\"ACC-1\"))").matches(&item));
        assert!(!filter("eq(name,Jan)").matches(&item));
        assert!(filter("or(eq(name,x),ne(status,Invited))").matches(&item));
        assert!(!filter("not(ilike(name,jan*))").matches(&item));
    }
}
