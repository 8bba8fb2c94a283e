package dev.pyro.nifi;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The records of one flowfile in flight: how many were handed to the producer, how many the broker answered, and
 * the first error. Counts instead of futures, so a flowfile of a million lines holds no million futures.
 */
final class Delivery implements Callback {
    private int sent;
    private int answered;
    private Exception firstError;

    /** Called before producer.send: the answer may arrive before send returns. */
    synchronized void sending() {
        sent++;
    }

    /** For a send that threw instead of calling back (the producer calls back only for Kafka's API errors). */
    synchronized void failed(Exception e) {
        onCompletion(null, e);
    }

    @Override
    public synchronized void onCompletion(RecordMetadata metadata, Exception e) {
        answered++;
        if (e != null && firstError == null) {
            firstError = e;
        }
        notifyAll();
    }

    synchronized int sent() {
        return sent;
    }

    synchronized Exception firstError() {
        return firstError;
    }

    /** Waits until every record sent so far has its answer; false when `millis` passed first. */
    synchronized boolean await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (answered < sent) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
