package io.nubo.control.keys;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * SSH key pairs: generating them (Ed25519, RSA) with a private key OpenSSH reads, and checking
 * public keys that users import. Fingerprints follow EC2's conventions. Thread-safe.
 */
public final class SshKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> ECDSA = Set.of("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521");

    private SshKeys() {
    }

    /** A generated key: the OpenSSH public key line, the private key PEM (shown once) and the fingerprint. */
    public record Generated(String type, String publicKey, String privateKeyPem, String fingerprint) {
        @Override
        public String toString() {
            return "Generated[" + type + " " + fingerprint + ", private key ***]";
        }
    }

    /** An imported public key after validation. */
    public record Parsed(String type, String publicKey, String fingerprint) {
    }

    public static Generated generate(String type, String comment) {
        try {
            return switch (type) {
                case "ed25519" -> ed25519(comment);
                case "rsa" -> rsa(comment);
                default -> throw new IllegalArgumentException(type);
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("key generation is not available", e);
        }
    }

    private static Generated ed25519(String comment) throws GeneralSecurityException {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] x509 = kp.getPublic().getEncoded();
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        byte[] blob = new SshWire().string("ssh-ed25519").string(pub).bytes();
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(pub, 0, secret, 32, 32);
        SshWire priv = new SshWire().string("ssh-ed25519").string(pub).string(secret).string(comment);
        return new Generated("ed25519", "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + comment,
                openSshPrivateKey(blob, priv), sha256(blob));
    }

    private static Generated rsa(String comment) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        KeyPair kp = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) kp.getPrivate();
        byte[] blob = new SshWire().string("ssh-rsa").mpint(pub.getPublicExponent()).mpint(pub.getModulus()).bytes();
        // The OpenSSH format keeps iqmp, p and q; it is what ssh itself writes.
        SshWire priv = new SshWire().string("ssh-rsa").mpint(key.getModulus()).mpint(key.getPublicExponent())
                .mpint(key.getPrivateExponent()).mpint(key.getCrtCoefficient()).mpint(key.getPrimeP()).mpint(key.getPrimeQ())
                .string(comment);
        // EC2 fingerprints keys it creates by the SHA-1 of the PKCS#8 private key.
        String fingerprint = colonHex(MessageDigest.getInstance("SHA-1").digest(key.getEncoded()));
        return new Generated("rsa", "ssh-rsa " + Base64.getEncoder().encodeToString(blob) + " " + comment,
                openSshPrivateKey(blob, priv), fingerprint);
    }

    /** The unencrypted openssh-key-v1 format. */
    private static String openSshPrivateKey(byte[] publicBlob, SshWire privateFields) {
        int check = RANDOM.nextInt();
        SshWire section = new SshWire().uint32(check).uint32(check).raw(privateFields.bytes());
        for (int pad = 1; section.size() % 8 != 0; pad++) {
            section.raw(new byte[]{(byte) pad});
        }
        byte[] body = new SshWire().raw("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII))
                .string("none").string("none").string(new byte[0]).uint32(1).string(publicBlob).string(section.bytes()).bytes();
        String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(body);
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + b64 + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    /**
     * Validates an OpenSSH public key line ({@code type base64 [comment]}) or its base64 blob
     * alone. Throws IllegalArgumentException saying what is wrong.
     */
    public static Parsed parse(String material) {
        String line = material.strip();
        if (line.isEmpty() || line.contains("\n")) {
            throw new IllegalArgumentException("expected one OpenSSH public key line");
        }
        String[] parts = line.split("\\s+", 3);
        if (parts.length < 2) {
            throw new IllegalArgumentException("expected '<type> <base64 key> [comment]'");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key is not valid base64");
        }
        SshWire.Reader r = new SshWire.Reader(blob);
        String type = r.text();
        if (!type.equals(parts[0])) {
            throw new IllegalArgumentException("the key says it is " + type + " but the line says " + parts[0]);
        }
        String fingerprint;
        try {
            switch (type) {
                case "ssh-ed25519" -> {
                    if (r.string().length != 32) {
                        throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
                    }
                    fingerprint = sha256(blob);
                }
                case "ssh-rsa" -> {
                    BigInteger e = r.mpint();
                    BigInteger n = r.mpint();
                    if (n.bitLength() < 1024 || e.signum() <= 0) {
                        throw new IllegalArgumentException("RSA keys must have at least 1024 bits");
                    }
                    byte[] der = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)).getEncoded();
                    fingerprint = colonHex(MessageDigest.getInstance("MD5").digest(der));
                }
                default -> {
                    if (!ECDSA.contains(type)) {
                        throw new IllegalArgumentException("unsupported key type " + type + " (use ssh-ed25519, ssh-rsa or ecdsa)");
                    }
                    r.string();
                    if (r.string().length < 65) {
                        throw new IllegalArgumentException("the ECDSA point is too short");
                    }
                    fingerprint = colonHex(MessageDigest.getInstance("MD5").digest(blob));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key is not valid: " + e.getMessage());
        }
        if (!r.atEnd()) {
            throw new IllegalArgumentException("the key blob has trailing bytes");
        }
        String normalized = parts[0] + " " + parts[1] + (parts.length > 2 ? " " + parts[2] : "");
        return new Parsed(type.equals("ssh-ed25519") ? "ed25519" : type.equals("ssh-rsa") ? "rsa" : "ecdsa", normalized, fingerprint);
    }

    private static String sha256(byte[] blob) throws IllegalStateException {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String colonHex(byte[] digest) {
        return HexFormat.ofDelimiter(":").formatHex(digest);
    }
}
