package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Prints results as an aligned table (for people) or as JSON (for scripts). */
public final class Output {
    public enum Format { table, json }

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Format format;
    private final PrintStream out = System.out;

    Output(Format format) {
        this.format = format;
    }

    public boolean isJson() {
        return format == Format.json;
    }

    /** A column: its heading and how to read it from a row. */
    public record Column(String heading, Function<JsonNode, String> value) {
        public static Column of(String heading, String path) {
            return new Column(heading, n -> text(n, path));
        }
    }

    static String text(JsonNode n, String path) {
        JsonNode v = n;
        for (String part : path.split("\\.")) {
            v = v.path(part);
        }
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    public void rows(JsonNode json, JsonNode items, List<Column> columns) {
        if (isJson()) {
            print(json);
            return;
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(columns.stream().map(Column::heading).toArray(String[]::new));
        for (JsonNode row : items) {
            lines.add(columns.stream().map(c -> c.value().apply(row)).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                widths[i] = Math.max(widths[i], l[i].length());
            }
        }
        for (String[] l : lines) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                b.append(i == l.length - 1 ? l[i] : String.format("%-" + (widths[i] + 2) + "s", l[i]));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /** One line of plain text, for a value a script reads whole (a token). */
    public void println(String line) {
        out.println(line);
    }

    /** One object: as JSON, or as "key: value" lines. */
    public void object(JsonNode json) {
        if (isJson()) {
            print(json);
            return;
        }
        json.fields().forEachRemaining(e -> out.println(e.getKey() + ": " + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
    }

    private void print(JsonNode json) {
        try {
            out.println(PRETTY.writeValueAsString(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
