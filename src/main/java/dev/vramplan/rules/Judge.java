package dev.vramplan.rules;

import java.util.List;

/**
 * What the planner asks of a policy for one cell: take facts, decide, show the decisions. The Drools
 * session ({@link PolicySession}) is the policy; the tests have a plain-Java twin of the shipped rules that
 * measures what the rules engine costs and checks that both decide alike.
 */
public interface Judge extends AutoCloseable {
    void insert(Object fact);

    void fire();

    <T> List<T> facts(Class<T> type);

    long firings();

    @Override
    void close();
}
