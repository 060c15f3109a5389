//! Certificate sign-in: the vendor's recommended credential. The private key (from a PEM or
//! PFX file) signs a short-lived RS256 JWT client assertion; it is kept in the OS keychain as
//! PEM, never in a file of ours.

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use sha1::{Digest, Sha1};

/// AvePoint's sample sets a 5-minute lifetime on the assertion.
const ASSERTION_LIFETIME_SECONDS: i64 = 300;

pub struct ClientCertificate {
    key: RsaPrivateKey,
    certificate_der: Vec<u8>,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientCertificate({}, key <redacted>)", self.thumbprint())
    }
}

fn unreadable(reason: impl std::fmt::Display) -> Error {
    let message = format!("The certificate file can't be used: {reason}");
    Error::new(ErrorCode::InvalidInput, message.clone()).with_field("certificate", message)
}

impl ClientCertificate {
    /// Reads a PEM file (private key and certificate) or a PFX/PKCS#12 file (with its password).
    pub fn from_bytes(bytes: &[u8], password: &str) -> Result<Self> {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => Self::from_pem(text),
            _ => Self::from_pkcs12(bytes, password),
        }
    }

    /// Reads the first private key and the first certificate of a PEM text (the `pem` crate
    /// parses the blocks; an encrypted key is refused with what to do instead).
    pub fn from_pem(text: &str) -> Result<Self> {
        let blocks = pem::parse_many(text)
            .map_err(|e| unreadable(format!("it is not a PEM file Switchboard can read ({e}).")))?;
        let block = |tag: &str| blocks.iter().find(|block| block.tag() == tag).map(|block| block.contents());
        let key = if let Some(pkcs8) = block("PRIVATE KEY") {
            RsaPrivateKey::from_pkcs8_der(pkcs8).map_err(|e| e.to_string())
        } else if let Some(pkcs1) = block("RSA PRIVATE KEY") {
            RsaPrivateKey::from_pkcs1_der(pkcs1).map_err(|e| e.to_string())
        } else {
            return Err(unreadable(
                "it has no unencrypted RSA private key (BEGIN PRIVATE KEY). Export the key without a passphrase, or use the PFX file.",
            ));
        }
        .map_err(|e| unreadable(format!("the private key is not an RSA key Switchboard can read ({e}).")))?;
        let certificate_der = block("CERTIFICATE").map(<[u8]>::to_vec).ok_or_else(|| {
            unreadable("it has no certificate (BEGIN CERTIFICATE). Put the certificate and its private key in one file, or use the PFX file.")
        })?;
        Ok(ClientCertificate { key, certificate_der })
    }

    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self> {
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password, Default::default()).map_err(|e| {
            unreadable(format!(
                "it is not a PEM file, and as a PFX file it could not be opened ({e}). Check the password."
            ))
        })?;
        let (_, chain) = store.private_key_chain().ok_or_else(|| unreadable("the PFX file holds no private key."))?;
        let key = RsaPrivateKey::from_pkcs8_der(chain.key().as_der())
            .map_err(|e| unreadable(format!("the private key is not an RSA key ({e}).")))?;
        let certificate_der =
            chain.certs().first().ok_or_else(|| unreadable("the PFX file holds no certificate."))?.as_der().to_vec();
        Ok(ClientCertificate { key, certificate_der })
    }

    /// The key and certificate as one PEM text, for the keychain.
    pub fn to_pem(&self) -> Result<Secret> {
        let key = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("Could not encode the key: {e}")))?;
        let certificate = STANDARD.encode(&self.certificate_der);
        let lines: Vec<&str> =
            certificate.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        Ok(Secret::new(format!(
            "{}-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            key.as_str(),
            lines.join("\n")
        )))
    }

    /// The SHA-1 thumbprint in upper-case hex, as Elements and Windows show it.
    pub fn thumbprint(&self) -> String {
        Sha1::digest(&self.certificate_der).iter().map(|b| format!("{b:02X}")).collect()
    }

    /// An RS256 JWT with iss = sub = client id, aud = the token endpoint, a fresh jti and a
    /// five-minute lifetime; `x5t` names the certificate.
    pub fn client_assertion(&self, client_id: &str, token_url: &str) -> Result<Secret> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(Sha1::digest(&self.certificate_der)),
        });
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": token_url,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signer = SigningKey::<rsa::sha2::Sha256>::new(self.key.clone());
        let signature = signer
            .try_sign(signing_input.as_bytes())
            .map_err(|e| Error::internal(format!("Could not sign the sign-in request: {e}")))?;
        Ok(Secret::new(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../../sandbox/data/practice-client.pem");
    const PFX: &[u8] = include_bytes!("../../../sandbox/data/practice-client.pfx");
    const THUMBPRINT: &str = "2FAE7AE5210F2039CBB725FA1CB923829CD05337";

    #[test]
    fn reads_pem_and_pfx_to_the_same_certificate() {
        let from_pem = ClientCertificate::from_bytes(PEM.as_bytes(), "").unwrap();
        let from_pfx = ClientCertificate::from_bytes(PFX, "practice").unwrap();
        assert_eq!(from_pem.thumbprint(), THUMBPRINT);
        assert_eq!(from_pfx.thumbprint(), THUMBPRINT);
        let round_trip = ClientCertificate::from_pem(from_pfx.to_pem().unwrap().expose()).unwrap();
        assert_eq!(round_trip.thumbprint(), THUMBPRINT);
    }

    #[test]
    fn a_wrong_pfx_password_is_a_clear_error() {
        let error = ClientCertificate::from_bytes(PFX, "wrong").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("certificate"));
        assert!(error.message.contains("Check the password"), "{}", error.message);
    }

    #[test]
    fn a_pem_without_key_or_certificate_is_refused() {
        let only_certificate = &PEM[PEM.find("-----BEGIN CERTIFICATE").unwrap()..];
        assert!(ClientCertificate::from_pem(only_certificate)
            .unwrap_err()
            .message
            .contains("no unencrypted RSA private key"));
        let only_key = &PEM[..PEM.find("-----BEGIN CERTIFICATE").unwrap()];
        assert!(ClientCertificate::from_pem(only_key).unwrap_err().message.contains("no certificate"));
        // A key exported with a passphrase, and a block that is not base64: each said plainly.
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(ClientCertificate::from_pem(&format!("{encrypted}{only_certificate}"))
            .unwrap_err()
            .message
            .contains("Export the key without a passphrase"));
        let broken = "-----BEGIN PRIVATE KEY-----\n!!not base64!!\n-----END PRIVATE KEY-----\n";
        let error = ClientCertificate::from_pem(broken).unwrap_err();
        assert!(error.message.contains("not a PEM file Switchboard can read"), "{}", error.message);
    }

    #[test]
    fn the_assertion_is_an_rs256_jwt_for_the_token_endpoint() {
        let certificate = ClientCertificate::from_pem(PEM).unwrap();
        let jwt = certificate.client_assertion("app-1", "https://identity.example/connect/token").unwrap();
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(claims["iss"], "app-1");
        assert_eq!(claims["sub"], "app-1");
        assert_eq!(claims["aud"], "https://identity.example/connect/token");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 300);
        assert!(!format!("{certificate:?}").contains("PRIVATE"));
    }
}
