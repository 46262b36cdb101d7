package dev.vramplan.rules;

import dev.vramplan.catalog.InvalidInputException;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One rules session (one card × workload). Firing is bounded: a rule that keeps inserting or changing
 * facts is stopped with an error naming it instead of hanging, and an exception thrown in a rule's
 * {@code then} is reported with the rule's name.
 */
public final class PolicySession implements Judge {
    /** More firings than any sane policy needs for one cell. */
    public static final int MAX_FIRINGS = 100_000;

    private final KieSession session;
    private final Tracker tracker;
    private long firings;

    /** Names the rule firing now and counts firings by rule; stays with a pooled session and is reset per cell. */
    private static final class Tracker extends DefaultAgendaEventListener {
        final Map<String, Integer> firedByRule = new HashMap<>();
        String firing;

        @Override
        public void beforeMatchFired(BeforeMatchFiredEvent event) {
            firing = event.getMatch().getRule().getName();
        }

        @Override
        public void afterMatchFired(AfterMatchFiredEvent event) {
            firedByRule.merge(event.getMatch().getRule().getName(), 1, Integer::sum);
            firing = null;
        }
    }

    public PolicySession(RuleBase rules) {
        // a pooled session: disposing it resets it for the next cell, which keeps the node memories Drools would
        // otherwise build anew for every cell (a quarter of a cell's cost)
        this.session = rules.sessions().newKieSession();
        Tracker t = null;
        for (var l : session.getAgendaEventListeners()) {
            if (l instanceof Tracker known) {
                t = known;
            }
        }
        if (t == null) {
            t = new Tracker();
            session.addEventListener(t);
        }
        t.firedByRule.clear();
        t.firing = null;
        this.tracker = t;
    }

    public void insert(Object fact) {
        session.insert(fact);
    }

    /** Fires until the agenda is empty, or fails with a clear message. */
    public void fire() {
        int fired;
        try {
            fired = session.fireAllRules(MAX_FIRINGS);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String rule = tracker.firing == null ? "?" : tracker.firing;
            throw new InvalidInputException("rule \"" + rule + "\" failed in its then: "
                    + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + RuleBase.clean(root.getMessage())));
        }
        firings += fired;
        if (fired >= MAX_FIRINGS) {
            String worst = tracker.firedByRule.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
            throw new InvalidInputException("rule \"" + worst + "\" keeps firing (" + MAX_FIRINGS
                    + " firings for one cell): does it insert or modify a fact that matches it again?");
        }
    }

    public long firings() {
        return firings;
    }

    public <T> List<T> facts(Class<T> type) {
        List<T> out = new ArrayList<>();
        // a class filter lets Drools walk only that class's facts
        for (Object o : session.getObjects(new org.kie.api.runtime.ClassObjectFilter(type))) {
            out.add(type.cast(o));
        }
        return out;
    }

    @Override
    public void close() {
        session.dispose();
    }
}
