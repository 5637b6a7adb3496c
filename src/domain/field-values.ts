import { isIP } from 'node:net';
import type { z } from 'zod';
import type { FieldType as FieldTypeSchema } from '../policy/schema.js';

export type FieldType = z.infer<typeof FieldTypeSchema>;

/**
 * Turns a submitted value into the canonical text stored for a field of the given type, or says
 * why it is refused. Every value is stored as text (encrypted or not), so one table holds every
 * category any policy declares; the type rules here are the only place values are judged.
 */
export type FieldValueResult = { ok: true; text: string } | { ok: false; reason: string };

/** Values longer than this are refused whatever the type (a field is not a file store). */
export const MAX_VALUE_LENGTH = 10_000;
const MAX_SHORT_LENGTH = 500;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ().-]{5,32}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY = /^-?\d{1,15}(\.\d{1,4})?$/;
const COUNTRY = /^[A-Z]{2}$/;

function isRealDate(text: string): boolean {
  if (!DATE.test(text)) {
    return false;
  }
  const parsed = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

export function normaliseFieldValue(type: FieldType, value: unknown): FieldValueResult {
  if (value === null || value === undefined) {
    return { ok: false, reason: 'must have a value (omit the field instead)' };
  }
  if (type === 'boolean') {
    return typeof value === 'boolean'
      ? { ok: true, text: String(value) }
      : { ok: false, reason: 'must be true or false' };
  }
  if (type === 'integer' || type === 'number') {
    const number =
      typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isFinite(number) || (typeof value === 'string' && value.trim() === '')) {
      return { ok: false, reason: `must be a ${type}` };
    }
    if (type === 'integer' && !Number.isSafeInteger(number)) {
      return { ok: false, reason: 'must be a whole number' };
    }
    return { ok: true, text: String(number) };
  }
  if (type === 'json') {
    const text = JSON.stringify(value);
    return text.length > MAX_VALUE_LENGTH
      ? { ok: false, reason: `must be at most ${MAX_VALUE_LENGTH} characters as JSON` }
      : { ok: true, text };
  }
  if (typeof value !== 'string') {
    return { ok: false, reason: 'must be a string' };
  }
  const text = value.trim();
  if (text === '') {
    return { ok: false, reason: 'must not be empty' };
  }
  const isLong = type === 'text' || type === 'address' || type === 'image' || type === 'file';
  const limit = isLong ? MAX_VALUE_LENGTH : MAX_SHORT_LENGTH;
  if (text.length > limit) {
    return { ok: false, reason: `must be at most ${limit} characters` };
  }
  switch (type) {
    case 'string':
    case 'text':
    case 'address':
    case 'identifier':
    case 'image':
    case 'file':
      return { ok: true, text };
    case 'email':
      return EMAIL.test(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be an e-mail address' };
    case 'phone':
      return PHONE.test(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be a phone number' };
    case 'date':
      return isRealDate(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be a calendar date as YYYY-MM-DD' };
    case 'datetime': {
      const parsed = new Date(text);
      return Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(text)
        ? { ok: false, reason: 'must be an ISO 8601 date and time' }
        : { ok: true, text: parsed.toISOString() };
    }
    case 'money':
      return MONEY.test(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be an amount such as 1250.50' };
    case 'country':
      return COUNTRY.test(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be an ISO 3166-1 alpha-2 country code such as CO' };
    case 'url':
      return /^https?:\/\/\S+$/.test(text)
        ? { ok: true, text }
        : { ok: false, reason: 'must be an http(s) address' };
    case 'ip-address':
      return isIP(text) === 0 ? { ok: false, reason: 'must be an IP address' } : { ok: true, text };
  }
}
