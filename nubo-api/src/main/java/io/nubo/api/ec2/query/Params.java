package io.nubo.api.ec2.query;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An EC2 request's parameters, read with types: {@code Name}, lists as {@code Name.1 .. Name.N}
 * and structures as {@code Name.1.Field}. Every parameter read is marked, so that whatever was
 * not read can be refused as {@code UnknownParameter}. A view of one structure shares the marks.
 * Not thread-safe: one request reads it.
 */
public final class Params {
    public static final int MAX_LIST = 1000;

    private final String prefix;
    private final Map<String, String> own;
    private final Set<String> read;

    private Params(String prefix, Map<String, String> own, Set<String> read) {
        this.prefix = prefix;
        this.own = own;
        this.read = read;
    }

    /** The parameters of a request; a name given twice is {@code InvalidParameterValue}. */
    public static Params of(List<Map.Entry<String, String>> pairs) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : pairs) {
            if (all.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The parameter %s was given more than once", e.getKey());
            }
        }
        return new Params("", all, new HashSet<>());
    }

    /** The names of every parameter of this view, read or not. */
    public Set<String> names() {
        return java.util.Collections.unmodifiableSet(own.keySet());
    }

    /** The full name of a parameter of this view, as the caller wrote it. */
    public String fullName(String name) {
        return prefix + name;
    }

    /** The value, possibly empty, if the parameter is present. */
    public Optional<String> string(String name) {
        String v = own.get(name);
        if (v != null) {
            read.add(prefix + name);
        }
        return Optional.ofNullable(v);
    }

    /** The value if present and not empty: an empty value counts as absent. */
    public Optional<String> nonEmpty(String name) {
        return string(name).filter(v -> !v.isEmpty());
    }

    /** The value, which must be present and not empty ({@code MissingParameter}). */
    public String required(String name) {
        return nonEmpty(name).orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                "The request must contain the parameter %s", fullName(name)));
    }

    public Optional<Integer> integer(String name) {
        return nonEmpty(name).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s: expected an integer", v, fullName(name));
            }
        });
    }

    public Optional<Boolean> bool(String name) {
        return nonEmpty(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s: expected true or false", v,
                    fullName(name));
        });
    }

    /** A list of strings, {@code Name.1 .. Name.N}, in index order. */
    public List<String> strings(String name) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        String start = name + ".";
        for (Map.Entry<String, String> e : own.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(start)) {
                int index = index(k.substring(start.length()));
                if (index > 0) {
                    byIndex.put(index, e.getValue());
                    read.add(prefix + k);
                }
            }
        }
        emptyList(name);
        return limit(name, new ArrayList<>(byIndex.values()));
    }

    /** A list of structures, {@code Name.N.Field}, as views in index order. */
    public List<Params> structs(String name) {
        TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
        String start = name + ".";
        for (Map.Entry<String, String> e : own.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(start)) {
                continue;
            }
            String rest = k.substring(start.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                continue;
            }
            int index = index(rest.substring(0, dot));
            if (index > 0) {
                byIndex.computeIfAbsent(index, i -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
            }
        }
        emptyList(name);
        List<Params> out = new ArrayList<>();
        byIndex.forEach((i, m) -> out.add(new Params(prefix + start + i + ".", m, read)));
        return limit(name, out);
    }

    /** A structure {@code Name.Field}, if any of its fields is present. */
    public Optional<Params> struct(String name) {
        Map<String, String> m = new LinkedHashMap<>();
        String start = name + ".";
        own.forEach((k, v) -> {
            if (k.startsWith(start) && k.length() > start.length()) {
                m.put(k.substring(start.length()), v);
            }
        });
        return m.isEmpty() ? Optional.empty() : Optional.of(new Params(prefix + start, m, read));
    }

    /** The parameters nobody read, in request order. */
    public List<String> unread() {
        return own.keySet().stream().filter(k -> !read.contains(prefix + k)).map(k -> prefix + k).toList();
    }

    /** Refuses any parameter that was not read. */
    public void requireAllRead() {
        List<String> left = unread();
        if (!left.isEmpty()) {
            throw NuboException.of(ErrorCode.UNKNOWN_PARAMETER, "The parameter %s is not recognized", left.get(0));
        }
    }

    /** Older SDKs send an empty list as {@code Name=} with no value: accept that. */
    private void emptyList(String name) {
        if ("".equals(own.get(name))) {
            read.add(prefix + name);
        }
    }

    /** A list index: a canonical positive decimal, or -1. */
    private static int index(String s) {
        if (s.isEmpty() || s.length() > 6 || s.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    private <T> List<T> limit(String name, List<T> list) {
        if (list.size() > MAX_LIST) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The list %s has more than %d members", fullName(name), MAX_LIST);
        }
        return list;
    }
}
