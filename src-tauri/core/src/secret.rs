//! Secrets travel in [`Secret`]: it cannot be printed, logged or serialized by accident, is not
//! copied without saying so, and its memory is wiped when it is dropped.

use zeroize::Zeroize;

/// A credential (client secret, token, password). `Debug` prints `<redacted>`; there is no
/// `Display` and no `Serialize`, so it can only leave through [`Secret::expose`].
///
/// Not `Clone`: a copy is made only through [`Secret::duplicate`], so every copy is a visible
/// decision (a token cache handing out its token, a store keeping what it was given). Each copy
/// is overwritten with zeros when dropped (`zeroize`, already used by `rsa` and `rustls`), so a
/// secret does not linger in freed memory for a crash dump or a swap file to keep.
///
/// Zeroing covers the bytes this value owns. Copies made on the way in or out (the IPC
/// argument's `String`, a request body reqwest builds, the keychain's own buffers) are outside
/// its reach: those are short-lived and owned by the layer that made them.
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the one place that must send it (a token request).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A second copy of the secret, wiped on drop like the first.
    pub fn duplicate(&self) -> Secret {
        Secret(self.0.clone())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Wipes the whole allocation (capacity, not only length), then leaves an empty string.
        self.0.zeroize();
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Secret {}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(secret)), "Some(<redacted>)");
    }

    #[test]
    fn a_secret_is_not_clone_and_copies_only_on_purpose() {
        // Compiles only while `Secret` is not `Clone`: with both impls applying, the call below
        // would be ambiguous (the static_assertions `assert_not_impl_any!` trick).
        trait AmbiguousIfClone<A> {
            fn check() {}
        }
        impl<T: ?Sized> AmbiguousIfClone<()> for T {}
        impl<T: Clone> AmbiguousIfClone<u8> for T {}
        <Secret as AmbiguousIfClone<_>>::check();

        let secret = Secret::new("hunter2");
        assert_eq!(secret.duplicate(), secret);
    }
}
