package io.callflow.call;

/**
 * A user's SIP digest credential as stored: HA1 = H(user:realm:password) for MD5 and for SHA-256 (RFC 7616 section
 * 3.4.2, RFC 8760), never the password itself.
 */
public record DigestCredential(String user, String realm, String ha1Md5, String ha1Sha256) {
}
