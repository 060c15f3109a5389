//! Filters in SoftwareOne's Resource Query Language (RQL), appended to a list's query string:
//! `?and(eq(status,"Active"),ilike(name,"*smith*"))&limit=50`.
//!
//! Values can't break out of their place: the vendor's parser reads a literal between `"` or `'`
//! with no escape character, so each value is quoted with the quote it doesn't contain, and
//! percent-encoded so `&`, `#`, `+` and `%` travel as data (the vendor decodes the query before it
//! parses the RQL, so encoding alone would not protect the quote). `*` stays a wildcard.

use crate::error::{Error, FieldError, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Left as they are in a value: RFC 3986 unreserved characters and `*`, RQL's wildcard.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'*');

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rql {
    /// `eq(field,"value")`: exactly equal.
    Eq { field: String, value: String },
    /// `ilike(field,"pattern")`: case-insensitive, `*` matches any run of characters.
    Ilike { field: String, pattern: String },
    /// `and(a,b,...)`: all of them.
    And(Vec<Rql>),
}

impl Rql {
    pub fn eq(field: impl Into<String>, value: impl Into<String>) -> Rql {
        Rql::Eq { field: field.into(), value: value.into() }
    }

    pub fn ilike(field: impl Into<String>, pattern: impl Into<String>) -> Rql {
        Rql::Ilike { field: field.into(), pattern: pattern.into() }
    }

    /// Case-insensitive "contains": `ilike(field,"*text*")`.
    pub fn contains(field: impl Into<String>, text: &str) -> Rql {
        Rql::ilike(field, format!("*{text}*"))
    }

    pub fn and(filters: impl IntoIterator<Item = Rql>) -> Rql {
        Rql::And(filters.into_iter().collect())
    }

    /// The filter as it goes into the query string; empty for an empty `and`.
    pub fn to_query(&self) -> Result<String> {
        match self {
            Rql::Eq { field, value } => Ok(format!("eq({},{})", field_path(field)?, literal(value)?)),
            Rql::Ilike { field, pattern } => Ok(format!("ilike({},{})", field_path(field)?, literal(pattern)?)),
            Rql::And(filters) => {
                let parts = filters.iter().map(Rql::to_query).filter(|part| !matches!(part, Ok(p) if p.is_empty()));
                let parts = parts.collect::<Result<Vec<_>>>()?;
                Ok(match parts.as_slice() {
                    [] => String::new(),
                    [only] => only.clone(),
                    _ => format!("and({})", parts.join(",")),
                })
            }
        }
    }
}

fn refuse(message: String) -> Error {
    Error::invalid_fields(vec![FieldError { field: "filter".into(), message }])
}

/// A dotted property path like `account.id`; anything else could change the expression.
fn field_path(field: &str) -> Result<&str> {
    let valid = !field.is_empty()
        && field.split('.').all(|segment| {
            !segment.is_empty() && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        });
    if valid {
        Ok(field)
    } else {
        Err(refuse(format!("\"{field}\" is not a field SoftwareOne can filter on.")))
    }
}

fn literal(value: &str) -> Result<String> {
    let quote = if !value.contains('"') {
        '"'
    } else if !value.contains('\'') {
        '\''
    } else {
        return Err(refuse(
            "Search text can't contain both ' and \" at once (SoftwareOne can't search for that). Remove one of them."
                .into(),
        ));
    };
    Ok(format!("{quote}{}{quote}", utf8_percent_encode(value, VALUE)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_quoted_as_the_vendor_docs_show() {
        assert_eq!(Rql::eq("account.id", "ACC-1234-5678").to_query().unwrap(), "eq(account.id,\"ACC-1234-5678\")");
    }

    #[test]
    fn contains_is_an_ilike_with_wildcards() {
        assert_eq!(Rql::contains("name", "smith").to_query().unwrap(), "ilike(name,\"*smith*\")");
    }

    #[test]
    fn and_joins_its_parts_and_drops_empty_ones() {
        let filter = Rql::and([Rql::eq("status", "Active"), Rql::and([]), Rql::contains("name", "x")]);
        assert_eq!(filter.to_query().unwrap(), "and(eq(status,\"Active\"),ilike(name,\"*x*\"))");
        assert_eq!(Rql::and([]).to_query().unwrap(), "");
        assert_eq!(Rql::and([Rql::eq("a", "b")]).to_query().unwrap(), "eq(a,\"b\")");
    }

    #[test]
    fn query_string_delimiters_in_values_are_percent_encoded() {
        assert_eq!(
            Rql::eq("name", "Smith & Partners #1 + 50%").to_query().unwrap(),
            "eq(name,\"Smith%20%26%20Partners%20%231%20%2B%2050%25\")"
        );
    }

    #[test]
    fn rql_syntax_in_values_stays_inside_the_literal() {
        // Parentheses and commas are encoded too, and the whole value is quoted.
        assert_eq!(
            Rql::eq("name", "x\"),ne(status,\"y").to_query().unwrap(),
            "eq(name,'x%22%29%2Cne%28status%2C%22y')"
        );
    }

    #[test]
    fn a_value_with_a_double_quote_is_single_quoted() {
        assert_eq!(Rql::eq("name", "The \"A\" Team").to_query().unwrap(), "eq(name,'The%20%22A%22%20Team')");
        assert_eq!(Rql::eq("lastName", "O'Brien").to_query().unwrap(), "eq(lastName,\"O%27Brien\")");
    }

    #[test]
    fn a_value_with_both_quotes_is_refused() {
        let error = Rql::eq("name", "O'Brien \"Jr\"").to_query().unwrap_err();
        assert_eq!(error.field.as_deref(), Some("filter"));
        assert!(error.message.contains("both ' and \""), "{}", error.message);
    }

    #[test]
    fn field_paths_cannot_carry_syntax() {
        for bad in ["", "name,x", "a..b", "name)", ".a", "a b"] {
            assert!(Rql::eq(bad, "v").to_query().is_err(), "{bad}");
        }
        assert!(Rql::eq("settings.cultureCode", "v").to_query().is_ok());
    }
}
