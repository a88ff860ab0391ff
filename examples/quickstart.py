"""
Route a small burst of chats, tickets and calls through two departments.

Run it with ``make demo``. It prints who got each item and, for work that
had to wait, why, then closes some work and shows the queue draining, and
finally moves one chat to another department and prints who was
responsible for it, when and why.
"""

from __future__ import annotations

from agentroute import Agent, Decision, Item, ManualClock, Router


def show(decision: Decision) -> None:
    if decision.status == "assigned":
        print(f"  {decision.item:<4} -> {decision.agent:<5} ({decision.strategy})")
    else:
        print(f"  {decision.item:<4} waits #{decision.position}: {decision.reason}")


def main() -> None:
    clock = ManualClock(start=1_700_000_000.0)
    router = Router(seed=7, clock=clock)
    router.add_department(
        "billing", strategies={"chat": "least_busy", "call": "priority", "ticket": "round_robin"}
    )
    router.add_department("support", strategies={"chat": "most_busy"}, default_strategy="random")

    router.add_agent(
        Agent(
            "ana",
            priority=10,
            capacity={"chat": 2, "ticket": 3, "call": 1},
            departments={"billing": {"chat", "ticket", "call"}},
        )
    )
    router.add_agent(
        Agent(
            "bob",
            priority=20,
            capacity={"chat": 2, "ticket": 3, "call": 1},
            departments={"billing": {"chat", "call"}, "support": {"chat"}},
        )
    )
    router.add_agent(
        Agent(
            "cleo", capacity={"chat": 3, "ticket": 5}, departments={"support": {"chat", "ticket"}}
        )
    )
    for agent in ("ana", "bob", "cleo"):
        router.set_presence(agent, "online")

    burst = [
        Item("c1", channel="chat", department="billing", customer="cust-1"),
        Item("c2", channel="chat", department="billing", customer="cust-2"),
        Item("k1", channel="call", department="billing", priority=1),
        Item("k2", channel="call", department="billing", priority=1),
        Item("k3", channel="call", department="billing", priority=5),
        Item("t1", channel="ticket", department="billing"),
        Item("t2", channel="ticket", department="support"),
        Item("c3", channel="chat", department="support"),
        Item("c4", channel="chat", department="support"),
        Item("c5", channel="chat", department="billing", priority=3),
        Item("c6", channel="chat", department="billing", priority=1),
        Item("c7", channel="chat", department="billing", priority=90),
    ]
    print("A burst arrives:")
    for item in burst:
        clock.advance(1)
        show(router.assign(item))

    print(
        f"\nWaiting in billing: {router.queued('billing', 'chat')} (chat),"
        f" {router.queued('billing', 'call')} (call)"
    )
    print("\nana closes c1 and k1; freed slots take waiting work at once:")
    for item_id in ("c1", "k1"):
        for decision in router.close(item_id):
            show(decision)

    print("\nbob raises his chat limit to 3:")
    for decision in router.set_capacity("bob", "chat", 3):
        show(decision)

    print("\nLoads now:")
    for agent in router.agent_ids():
        print(f"  {agent:<5} {router.load(agent)} items: {', '.join(router.assigned_to(agent))}")
    print(
        f"\nStill waiting: {router.queue_length('billing')} in billing,"
        f" {router.queue_length('support')} in support"
    )

    print("\nana hands c5 to support; it waits there until cleo presses 'next':")
    clock.advance(30)
    for decision in router.transfer(
        "c5", to_department="support", actor="ana", reason="a support question"
    ):
        show(decision)
    print(f"  cleo's badge: {router.waiting_for('cleo')} waiting")
    clock.advance(15)
    pulled = router.next_for("cleo")
    if pulled is not None:
        show(pulled)
    print(f"  owner now: {router.owner('c5')}")
    print("  history of c5:")
    for entry in router.history("c5"):
        who = f"{entry.by} ({entry.by_kind})"
        print(
            f"    {entry.at - 1_700_000_000:>5.0f}s  {entry.action:<11} "
            f"{entry.from_agent or '-':>5} -> {entry.to_agent or '-':<5} "
            f"in {entry.to_department:<8} by {who}{f': {entry.reason}' if entry.reason else ''}"
        )


if __name__ == "__main__":
    main()
