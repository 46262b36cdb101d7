package dev.vramplan.rules;

/**
 * The texts a rule puts into a decision stay short: a rule cannot loop, but it could double a reason at every firing
 * ({@code $r.getReason() + $r.getReason()}) and fill the memory in thirty firings.
 */
final class Texts {
    /** Longer than any reason a person reads in a plan's trail. */
    static final int MAX_CHARS = 1_000;

    private Texts() {}

    static String bounded(String what, String text) {
        if (text != null && text.length() > MAX_CHARS) {
            throw new IllegalArgumentException(
                    "a " + what + " of " + text.length() + " characters (at most " + MAX_CHARS + ")");
        }
        return text;
    }
}
