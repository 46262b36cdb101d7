package dev.vramplan.rules;

import com.sun.management.ThreadMXBean;
import dev.vramplan.input.InvalidInputException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.drools.core.common.ActivationsManager;
import org.drools.core.phreak.RuleAgendaItem;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.ClassObjectFilter;
import org.kie.api.runtime.KieSession;

/**
 * One rules session (one card × workload). Firing is bounded: a rule that keeps inserting facts is stopped with an
 * error naming it instead of hanging, an exception thrown in a rule's {@code then} is reported with the rule's name,
 * and the cell is planned under a time budget ({@link #CELL_BUDGET}) and a memory bound ({@link #CELL_MEMORY_BYTES})
 * kept by a watchdog thread.
 *
 * <p>Rules can only insert decisions and call the documented helpers ({@link Sandbox}), so one firing does a
 * bounded amount of work; conditions, though, can still be slow or hungry (a join of every fact with every other, a
 * {@code matches} with a pattern that backtracks). When a cell goes past its budget the watchdog halts the session,
 * which stops it between firings and evaluations, and the cell fails naming the rule that was running (the one
 * firing, as an agenda listener sees it, else the one whose conditions the agenda is evaluating). A thread that does
 * not come back within {@link #GRACE} is stuck inside one evaluation, which Java cannot interrupt: the watchdog prints
 * the same line and ends the process with exit code 2 (the store shows a run only once it is complete, so nothing
 * half-planned is kept).
 */
public final class PolicySession implements Judge {
    /** More firings than any sane policy needs for one cell. */
    public static final int MAX_FIRINGS = 100_000;
    /** The time a cell's rules may take. A cell of the shipped policy takes milliseconds. */
    public static final Duration CELL_BUDGET = Duration.ofSeconds(10);
    /** How long a halted session may take to come back before its thread counts as stuck. */
    public static final Duration GRACE = Duration.ofSeconds(2);
    /** How long a session stopped for its memory may take to come back: it is allocating all the while. */
    static final Duration MEMORY_GRACE = Duration.ofMillis(250);
    /**
     * The memory a cell may allocate (the shipped policy's largest cell allocates about 20 MiB): enough to stop a
     * condition that joins every fact with every other before it fills a heap of 1 GiB.
     */
    public static final long CELL_MEMORY_BYTES = 256L << 20;
    /** How often the watchdog looks. */
    static final long POLL_MS = 50;
    /** Bytes allocated by a thread, where the JVM counts them (HotSpot does); else null and no memory bound. */
    private static final ThreadMXBean THREADS = allocationCounter();

    private static volatile Duration budget = CELL_BUDGET;

    private final RuleBase rules;
    private final KieSession session;
    private final Tracker tracker;
    private final long started = System.nanoTime();
    private final Duration cellBudget = budget;
    private final long threadId = Thread.currentThread().getId();
    private final long allocatedAtStart = THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
    private long firings;
    private volatile String cell;
    /** Inside a call into Drools (insert or fire): the only place a rule's code runs. */
    private volatile boolean inDrools;
    /** Why the watchdog halted this session, or null. */
    private volatile String stopped;

    private volatile long haltedAt;
    private volatile boolean reportedStuck;
    private volatile boolean overMemory;
    /** Ran out of memory, or stopped: not back into the pool. */
    private boolean destroyed;
    /** Handed back: the watchdog leaves the session alone (the pool may already give it to the next cell). */
    private boolean closed;

    /** Names the rule firing now and counts firings by rule; stays with a pooled session and is reset per cell. */
    private static final class Tracker extends DefaultAgendaEventListener {
        final Map<String, Integer> firedByRule = new HashMap<>();
        volatile String firing;

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
        this.rules = rules;
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
        Watchdog.watch(this);
    }

    /**
     * Sets the time budget of the cells planned from now on and returns the one before: for tests, which cannot wait
     * ten seconds for every case.
     */
    public static Duration budget(Duration d) {
        Duration before = budget;
        budget = d;
        return before;
    }

    public void insert(Object fact) {
        if (fact instanceof Cell c) {
            cell = c.gpu() + " × " + c.job();
        }
        check();
        inDrools = true;
        try {
            session.insert(fact);
        } catch (OutOfMemoryError e) {
            throw outOfMemory();
        } finally {
            inDrools = false;
        }
        check();
    }

    /** Fires until the agenda is empty, or fails with a clear message. */
    public void fire() {
        check();
        int fired;
        inDrools = true;
        try {
            fired = session.fireAllRules(MAX_FIRINGS);
        } catch (OutOfMemoryError e) {
            throw outOfMemory();
        } catch (RuntimeException e) {
            check();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String rule = tracker.firing;
            throw new InvalidInputException(rules.fileOf(rule) + ": " + who(rule) + " failed in its then: "
                    + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + RuleBase.clean(root.getMessage())));
        } finally {
            inDrools = false;
        }
        check();
        firings += fired;
        if (fired >= MAX_FIRINGS) {
            String worst = tracker.firedByRule.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey)
                    .orElse(null);
            throw new InvalidInputException(rules.fileOf(worst) + ": " + who(worst) + " keeps firing (" + MAX_FIRINGS
                    + " firings for one cell): does it insert a fact that matches it again?");
        }
    }

    /** Fails the cell if the watchdog stopped it. */
    private void check() {
        if (stopped != null) {
            throw new InvalidInputException(stopped);
        }
    }

    /** The heap ran out while a rule ran (a bound the watchdog did not see in time): free the session, name the rule. */
    private InvalidInputException outOfMemory() {
        String rule = current();
        destroy();
        return new InvalidInputException(
                stopped != null
                        ? stopped
                        : rules.fileOf(rule) + ": " + who(rule) + " ran out of memory for " + cellName() + ": stopped");
    }

    private static String who(String rule) {
        return rule == null ? "the rules" : "rule \"" + rule + "\"";
    }

    private String cellName() {
        return cell == null ? "a cell" : "cell " + cell;
    }

    /**
     * The rule running now: the one whose then is firing, else the one whose conditions the agenda is evaluating (the
     * rule at its head; read from Drools' internals, on a best-effort basis), else null.
     */
    private String current() {
        String firing = tracker.firing;
        if (firing != null) {
            return firing;
        }
        try {
            if (session.getAgenda() instanceof ActivationsManager agenda) {
                RuleAgendaItem item = agenda.getAgendaGroupsManager().peekNextRule();
                return item == null ? null : item.getRule().getName();
            }
        } catch (RuntimeException e) {
            // another version of Drools, or the agenda changed under us: name no rule
        }
        return null;
    }

    /** Called by the watchdog: halts a cell past its budget, and gives up on a thread that does not come back. */
    private synchronized void watch(long now) {
        if (closed) {
            return;
        }
        if (stopped == null) {
            String why = null;
            if (now - started > cellBudget.toNanos()) {
                why = "ran longer than " + human(cellBudget);
            } else if (THREADS != null
                    && THREADS.getThreadAllocatedBytes(threadId) - allocatedAtStart > CELL_MEMORY_BYTES) {
                why = "used more than " + (CELL_MEMORY_BYTES >> 20) + " MiB";
                overMemory = true;
            }
            if (why != null) {
                String rule = current();
                stopped = rules.fileOf(rule) + ": " + who(rule) + " " + why + " for " + cellName() + ": stopped";
                haltedAt = now;
                session.halt();
            }
        } else if (inDrools && !reportedStuck && now - haltedAt > (overMemory ? MEMORY_GRACE : GRACE).toNanos()) {
            reportedStuck = true;
            exit(stopped);
        }
    }

    private static ThreadMXBean allocationCounter() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported()
                    && t.isThreadAllocatedMemoryEnabled()) {
                return t;
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot: the time budget still holds
        }
        return null;
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Prints the line and ends the process with 2: the thread that runs the rule cannot be stopped otherwise. */
    private static void exit(String line) {
        System.out.flush();
        System.err.println(line);
        System.err.flush();
        Thread last = new Thread(
                () -> {
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Runtime.getRuntime().halt(2); // a shutdown hook that waits on the stuck thread
                },
                "vramplan-exit");
        last.setDaemon(true);
        last.start();
        System.exit(2);
    }

    public long firings() {
        return firings;
    }

    public <T> List<T> facts(Class<T> type) {
        List<T> out = new ArrayList<>();
        // a class filter lets Drools walk only that class's facts
        for (Object o : session.getObjects(new ClassObjectFilter(type))) {
            out.add(type.cast(o));
        }
        return out;
    }

    @Override
    public void close() {
        Watchdog.forget(this);
        synchronized (this) {
            closed = true; // after this, no halt: one that came before is seen below
        }
        if (stopped != null) {
            destroy(); // halted: not back into the pool
        } else if (!destroyed) {
            session.dispose();
        }
    }

    private void destroy() {
        if (!destroyed) {
            destroyed = true;
            try {
                session.destroy();
            } catch (RuntimeException e) {
                // a session that failed mid-evaluation may not tear down cleanly: it is dropped either way
            }
        }
    }

    /** One daemon thread for the process that looks at every cell being planned. */
    private static final class Watchdog {
        private static final Set<PolicySession> CELLS = ConcurrentHashMap.newKeySet();
        private static boolean started;

        static synchronized void watch(PolicySession s) {
            CELLS.add(s);
            if (!started) {
                Thread t = new Thread(Watchdog::loop, "vramplan-rules-watchdog");
                t.setDaemon(true);
                t.start();
                started = true;
            }
        }

        static void forget(PolicySession s) {
            CELLS.remove(s);
        }

        private static void loop() {
            while (true) {
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                for (PolicySession s : CELLS) {
                    try {
                        s.watch(now);
                    } catch (RuntimeException | OutOfMemoryError e) {
                        // one session's trouble, or a heap a runaway rule filled, must not end the watch over the
                        // others
                    }
                }
            }
        }
    }
}
