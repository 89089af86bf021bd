package io.callflow.events;

/** A live subscriber's registration; closing it stops its deliveries and frees its buffer and thread. */
public interface Subscription extends AutoCloseable {

    @Override
    void close();
}
