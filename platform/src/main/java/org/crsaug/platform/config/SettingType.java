package org.crsaug.platform.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the value of one setting may be, as declared by its {@code #:} line in {@code crs-defaults.properties}:
 * {@code int [1,)}, {@code number [0,4]}, {@code long? [0,)}, {@code bool}, {@code enum a|b}, {@code list? a|b},
 * {@code url}, {@code path}, {@code string}. A trailing {@code ?} on the kind means empty is allowed too (and
 * then stands for "unset" to the code that reads the key). Ranges are intervals: {@code [} and {@code ]}
 * include the bound, {@code (} and {@code )} exclude it, a missing bound is unlimited.
 */
public record SettingType(Kind kind, boolean emptyAllowed, Bound min, Bound max, List<String> choices) {

    public enum Kind { INT, LONG, NUMBER, BOOL, ENUM, LIST, URL, PATH, STRING }

    public record Bound(double value, boolean inclusive) {
    }

    public static final SettingType FREE_TEXT = new SettingType(Kind.STRING, true, null, null, List.of());

    /** @param spec the text after {@code #:}, e.g. {@code int? [0,65535]} */
    public static SettingType parse(String spec) {
        String[] parts = spec.trim().split("\\s+", 2);
        String word = parts[0].toLowerCase(Locale.ROOT);
        boolean empty = word.endsWith("?");
        Kind kind;
        try {
            kind = Kind.valueOf((empty ? word.substring(0, word.length() - 1) : word).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown setting type '" + parts[0] + "' in '" + spec + "'");
        }
        String arg = parts.length > 1 ? parts[1].trim() : "";
        return switch (kind) {
            case INT, LONG, NUMBER -> arg.isEmpty() ? new SettingType(kind, empty, null, null, List.of())
                    : range(kind, empty, arg);
            case ENUM, LIST -> {
                if (arg.isEmpty()) {
                    throw new IllegalArgumentException(kind + " needs its values, e.g. 'enum a|b': " + spec);
                }
                yield new SettingType(kind, empty, null, null, Arrays.stream(arg.split("\\|")).map(String::trim).toList());
            }
            default -> new SettingType(kind, empty, null, null, List.of());
        };
    }

    private static SettingType range(Kind kind, boolean empty, String interval) {
        if (interval.length() < 3 || "[(".indexOf(interval.charAt(0)) < 0
                || "])".indexOf(interval.charAt(interval.length() - 1)) < 0 || !interval.contains(",")) {
            throw new IllegalArgumentException("range must look like [0,4] or (0,): " + interval);
        }
        String[] ends = interval.substring(1, interval.length() - 1).split(",", -1);
        return new SettingType(kind, empty, bound(ends[0], interval.charAt(0) == '['),
                bound(ends[1], interval.charAt(interval.length() - 1) == ']'), List.of());
    }

    private static Bound bound(String text, boolean inclusive) {
        return text.isBlank() ? null : new Bound(Double.parseDouble(text.trim()), inclusive);
    }

    /** True when {@code value} fits; a null value (key absent) always fits. */
    public boolean accepts(String value) {
        if (value == null) {
            return true;
        }
        String v = value.trim();
        if (v.isEmpty()) {
            return emptyAllowed;
        }
        return switch (kind) {
            case INT -> fitsRange(v, Integer::parseInt);
            case LONG -> fitsRange(v, Long::parseLong);
            case NUMBER -> fitsRange(v, s -> {
                double d = Double.parseDouble(s);
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException(s);
                }
                return d;
            });
            // the spellings CrsConfig.getBoolean reads
            case BOOL -> List.of("true", "false", "yes", "no", "1", "0", "on", "off").contains(v.toLowerCase(Locale.ROOT));
            case ENUM -> isChoice(v);
            case LIST -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).allMatch(this::isChoice);
            case URL -> isHttpUrl(v);
            case PATH, STRING -> true;
        };
    }

    private boolean fitsRange(String v, java.util.function.Function<String, ? extends Number> parser) {
        double d;
        try {
            d = parser.apply(v).doubleValue();
        } catch (NumberFormatException e) {
            return false;
        }
        return (min == null || (min.inclusive() ? d >= min.value() : d > min.value()))
                && (max == null || (max.inclusive() ? d <= max.value() : d < max.value()));
    }

    // the readers of enum-like keys ignore case and accept '_' for '-' (e.g. TrainingMode.parse), so must we
    private boolean isChoice(String v) {
        return choices.stream().anyMatch(c -> normalise(c).equals(normalise(v)));
    }

    private static String normalise(String s) {
        return s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static boolean isHttpUrl(String v) {
        try {
            URI u = new URI(v);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Completes "KEY must be ...", e.g. "a number between 0 and 4". */
    public String describe() {
        String what = switch (kind) {
            case INT, LONG -> "an integer" + rangeText();
            case NUMBER -> "a number" + rangeText();
            case BOOL -> "true or false";
            case ENUM -> "one of " + String.join(", ", choices);
            case LIST -> "a comma-separated list of " + String.join(", ", choices);
            case URL -> "an http:// or https:// URL";
            case PATH -> "a path";
            case STRING -> emptyAllowed ? "any text" : "a non-empty text";
        };
        return emptyAllowed && kind != Kind.STRING ? what + ", or empty" : what;
    }

    private String rangeText() {
        if (min != null && max != null && min.inclusive() && max.inclusive()) {
            return " between " + number(min.value()) + " and " + number(max.value());
        }
        String low = min == null ? "" : (min.inclusive() ? " of at least " : " greater than ") + number(min.value());
        String high = max == null ? "" : (max.inclusive() ? " of at most " : " less than ") + number(max.value());
        return low + (min != null && max != null ? " and" : "") + high;
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
