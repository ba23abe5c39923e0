package io.nubo.core;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Resource identifiers in EC2's formats: a prefix and 17 lower-case hex digits
 * ({@code i-0123456789abcdef0}). Accounts are 12 decimal digits, as AWS account IDs are.
 * Thread-safe.
 */
public final class Ids {
    public static final String INSTANCE = "i";
    public static final String RESERVATION = "r";
    public static final String IMAGE = "ami";
    public static final String HOST = "h";
    public static final String KEY_PAIR = "key";
    public static final String SECURITY_GROUP = "sg";
    public static final String SECURITY_GROUP_RULE = "sgr";
    public static final String VPC = "vpc";
    public static final String SUBNET = "subnet";
    public static final String STORAGE_POOL = "pool";
    public static final String VOLUME = "vol";
    public static final String MIGRATION = "mig";
    public static final String SNAPSHOT = "snap";
    public static final String PLACEMENT_GROUP = "pg";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private Ids() {
    }

    /** A new ID such as {@code i-0a1b2c3d4e5f60718}. */
    public static String next(String prefix) {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes).substring(0, 17);
    }

    /** True when {@code id} is well formed for {@code prefix}: 8 or 17 hex digits, as EC2 accepts. */
    public static boolean isWellFormed(String prefix, String id) {
        if (id == null || !id.startsWith(prefix + "-")) {
            return false;
        }
        String hex = id.substring(prefix.length() + 1);
        if (hex.length() != 8 && hex.length() != 17) {
            return false;
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static String nextAccountId() {
        StringBuilder b = new StringBuilder(12);
        b.append(1 + RANDOM.nextInt(9));
        for (int i = 1; i < 12; i++) {
            b.append(RANDOM.nextInt(10));
        }
        return b.toString();
    }

    public static boolean isAccountId(String id) {
        return id != null && ACCOUNT.matcher(id).matches();
    }

    /** An access key ID: {@code NK} and 18 base32 characters, 20 in all like AWS's. */
    public static String nextAccessKeyId() {
        return "NK" + randomString(KEY_ALPHABET, 18);
    }

    /** A 40-character secret access key. */
    public static String nextSecret() {
        return randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray(), 40);
    }

    private static String randomString(char[] alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
        }
        return new String(out);
    }
}
