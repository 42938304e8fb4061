/**
 * Status polls with a ticket are answered at the edge (worker) for consumers plainly
 * still waiting, from a progress snapshot at most a second old; everything else goes
 * to the queue's object. These tests hold the edge answer to the object's.
 */
import { describe, expect, it } from "vitest";
import { call, guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { admit, alter, consumerCall, enter, leave, openQueue, status } from "../../support/queue";
import { sleep } from "../../support/time";

const byTicket = (t: Tenant, queueId: string, ticket: string, token?: string) =>
	consumerCall(t, `/queues/${queueId}/status`, { ticket, token: token ?? null });

async function line(t: Tenant, queueId: string, shoppers: Shopper[]) {
	const tickets: string[] = [];
	for (const s of shoppers) {
		const res = await enter(t, queueId, s);
		expect(res.status, res.text).toBe(200);
		tickets.push(res.json.ticket);
	}
	return tickets;
}

/** Past the one-second snapshot, so the edge sees what just happened. */
const afterSnapshot = () => sleep(1100);

describe("status at the edge (ticket polls)", () => {
	it("a waiting consumer's place from its ticket equals the object's answer", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 60 });
		const shoppers = await guests(t, 4);
		const tickets = await line(t, q.id, shoppers);
		await afterSnapshot();
		for (const [i, s] of shoppers.entries()) {
			const edge = await byTicket(t, q.id, tickets[i]);
			const object = await status(t, q.id, s);
			expect(edge.status, edge.text).toBe(200);
			if (object.json.status === "QUEUED") {
				expect(edge.json).toMatchObject({
					consumerId: s.consumerId,
					status: "QUEUED",
					position: object.json.position,
					estimatedWaitSeconds: object.json.estimatedWaitSeconds,
				});
			} else {
				// Admitted meanwhile (rate 60/min): the edge must not claim it is still waiting.
				expect(edge.json.status).toBe(object.json.status);
			}
		}
	});

	it("places move up within a second of someone ahead leaving", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b, c] = await guests(t, 3);
		const [, , ticketC] = await line(t, q.id, [a, b, c]);
		await afterSnapshot();
		expect((await byTicket(t, q.id, ticketC)).json.position).toBe(3);
		expect((await leave(t, q.id, a)).json.status).toBe("LEFT");
		await afterSnapshot();
		expect((await byTicket(t, q.id, ticketC)).json.position).toBe(2);
		expect((await status(t, q.id, c)).json.position).toBe(2);
	});

	it("a consumer who left, was admitted or was denied is never reported as waiting", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 10 });
		const [a, b, c, d] = await guests(t, 4);
		const [ticketA, ticketB, ticketC, ticketD] = await line(t, q.id, [a, b, c, d]);
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		expect((await leave(t, q.id, b)).json.status).toBe("LEFT");
		const deny = await call(`/api/v1/queues/${q.id}/entries/${c.consumerId}/deny`, { key: t.secretKey, body: {} });
		expect(deny.json.status).toBe("DENIED");
		await afterSnapshot();
		const admitted = await byTicket(t, q.id, ticketA);
		expect(admitted.json.status).toBe("ADMITTED");
		// A ticket alone never carries the grant (issue 16 item 4); the consumer's own token does.
		expect(admitted.json.admissionToken).toBeUndefined();
		expect((await byTicket(t, q.id, ticketA, a.accessToken)).json.admissionToken).toEqual(expect.any(String));
		expect((await byTicket(t, q.id, ticketB)).json.status).toBe("LEFT");
		expect((await byTicket(t, q.id, ticketC)).json.status).toBe("DENIED");
		expect((await byTicket(t, q.id, ticketD)).json).toMatchObject({ status: "QUEUED", position: 1 });
	});

	it("a ticket with another consumer's token, an altered ticket, or another queue's ticket is refused", async () => {
		const t = await tenant();
		const q1 = await openQueue(t);
		const q2 = await openQueue(t);
		const [a, b] = await guests(t, 2);
		const [ticketA] = await line(t, q1.id, [a, b]);
		const [ticketA2] = await line(t, q2.id, [a]);
		await afterSnapshot();
		expect((await byTicket(t, q1.id, ticketA, b.accessToken)).status).toBe(401);
		expect((await byTicket(t, q1.id, alter(ticketA))).status).toBe(401);
		expect((await byTicket(t, q1.id, ticketA2)).status).toBe(401);
		expect((await byTicket(t, q1.id, ticketA, a.accessToken)).json).toMatchObject({
			consumerId: a.consumerId,
			position: 1,
		});
	});
});
