package dev.vramplan.catalog;

/**
 * The band of one estimate: with probability {@code confidence}, a job like the group's measured points needs at
 * most its estimate × (1 + {@code margin}) (see {@link Bands}).
 *
 * @param group  the group it came from ("none" when no group has enough points: the band is the estimate itself)
 * @param points how many measured points that group holds
 */
public record Band(double confidence, String group, int points, double margin) {
    public static final String NO_GROUP = "none";

    public Band {
        if (!(margin >= 0) || margin > 100) {
            throw new IllegalArgumentException("a band's margin must be at least 0 and at most 100");
        }
    }

    public static Band none(double confidence) {
        return new Band(confidence, NO_GROUP, 0, 0);
    }

    /** The top of the band over an estimate of {@code bytes}, rounded up to a whole byte. */
    public long high(long bytes) {
        return (long) Math.ceil(bytes * (1 + margin));
    }
}
