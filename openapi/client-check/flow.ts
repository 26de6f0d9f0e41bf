// A native-app team's first program against the portal, written only against the client generated
// from openapi/openapi.json (openapi-typescript types + openapi-fetch): sign in with the SMS code,
// list, find slots, reschedule, cancel, download the PDF. It must type-check with `strict` and
// run to the end with no hand conversion of any value between calls.
import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const [baseUrl, logArgument] = process.argv.slice(2);
if (!baseUrl || !logArgument) throw new Error("usage: flow.js <base url> <server log with dev SMS>");
const codeLog: string = logArgument;
const company = "praxis-weber";
const phone = "+4915100000001";

const client = createClient<paths>({ baseUrl });

function fail(step: string, error: unknown): never {
  throw new Error(`${step}: ${JSON.stringify(error)}`);
}

// The development SMS sender writes each text to the server's log; the newest to `phone` holds the code.
async function codeFor(to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const texts = readFileSync(codeLog, "utf8")
      .split("\n")
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line);
          return entry.target === "portal::dev_sms" && entry.to === to ? [String(entry.body)] : [];
        } catch {
          return [];
        }
      });
    const code = texts.at(-1)?.slice(0, 6);
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no SMS to ${to}`);
}

// The server was just started: wait until it answers.
for (let i = 0; ; i++) {
  const live = await fetch(`${baseUrl}/health/live`).catch(() => undefined);
  if (live?.ok) break;
  if (i === 300) throw new Error("the portal did not start");
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const challenge = await client.POST("/api/customer/auth", { body: { company, phone } });
if (!challenge.data) fail("sign-in", challenge.error);
const code = await codeFor(phone);
const tokens = await client.POST("/api/customer/auth/verify", {
  body: { challenge_id: challenge.data.challenge_id, code },
});
if (!tokens.data) fail("verify", tokens.error);
const headers = { Authorization: `Bearer ${tokens.data.access_token}` };

const list = await client.GET("/api/customer/appointments", {
  params: { query: { scope: "upcoming", limit: 50 } },
  headers,
});
if (!list.data) fail("list", list.error);
const appointment = list.data.items.find((a) => a.can_reschedule.allowed && a.can_cancel.allowed);
if (!appointment) fail("list", "no appointment that may be moved and cancelled");
const path = { id: appointment.id };

const slots = await client.GET("/api/customer/appointments/{id}/slots", {
  params: { path, query: { any_staff: true } },
  headers,
});
if (!slots.data) fail("slots", slots.error);
const slot = slots.data.slots[0];
if (!slot) fail("slots", "no free slot");

// The slot's start goes straight into the reschedule body: both are the same typed instant.
const moved = await client.POST("/api/customer/appointments/{id}/reschedule", {
  params: { path },
  body: { starts_at: slot.starts_at },
  headers,
});
if (!moved.data) fail("reschedule", moved.error);
if (Date.parse(moved.data.starts_at) !== Date.parse(slot.starts_at)) fail("reschedule", moved.data);

const cancelled = await client.POST("/api/customer/appointments/{id}/cancel", {
  params: { path },
  body: { reason: "Generated client check" },
  headers,
});
if (!cancelled.data) fail("cancel", cancelled.error);
if (cancelled.data.status !== "cancelled") fail("cancel", cancelled.data);

const pdf = await client.GET("/api/customer/appointments/{id}/confirmation.pdf", {
  params: { path },
  headers,
  parseAs: "arrayBuffer",
});
if (!pdf.data) fail("download", pdf.error);
if (new TextDecoder().decode(pdf.data.slice(0, 5)) !== "%PDF-") fail("download", "not a PDF");

console.log(`generated client: signed in, listed, moved ${appointment.reference} to ${slot.starts_at}, cancelled it, downloaded its PDF`);
