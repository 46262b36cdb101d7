package dev.vramplan.input;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean …?" for a mistyped name: the closest known name within a small edit distance. */
public final class Suggest {
    private Suggest() {}

    /** The closest candidate, or null when nothing is close enough to be a likely typo. */
    public static String closest(String typed, Collection<String> candidates) {
        if (typed == null) {
            return null;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String t = typed.toLowerCase(Locale.ROOT);
        if (t.length() >= 3) {
            for (String c : candidates) { // "a100" for "a100-sxm4-80gb": the family before its variant
                if (c.toLowerCase(Locale.ROOT).startsWith(t + "-") && (best == null || c.compareTo(best) < 0)) {
                    best = c;
                }
            }
            if (best != null && candidates.stream().noneMatch(c -> c.equalsIgnoreCase(typed))) {
                return best;
            }
            best = null;
        }
        for (String c : candidates) {
            int d = distance(t, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(2, typed.length() / 3);
        if (bestDistance <= allowed) {
            return best;
        }
        for (String c : candidates) { // "training" for "train", "t4-16gb" for "t4"
            String lc = c.toLowerCase(Locale.ROOT);
            if (lc.length() >= 2 && t.length() >= 2 && (t.startsWith(lc) || lc.startsWith(t))) {
                return c;
            }
        }
        return null;
    }

    /** " Did you mean \"x\"?" or nothing. */
    public static String didYouMean(String typed, Collection<String> candidates) {
        String c = closest(typed, candidates);
        return c == null ? "" : " Did you mean \"" + c + "\"?";
    }

    /** Damerau–Levenshtein (optimal string alignment) distance: a swap of two letters counts once. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
