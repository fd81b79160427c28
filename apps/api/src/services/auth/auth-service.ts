import { HashersBusyError, type PasswordHasher } from "@strata/passwords";
import type { User } from "@strata/contracts";
import { problems } from "../../http/problem.ts";
import type { UserRepository } from "../users/user-repository.ts";

/** One message for every failed login, so the answer does not tell which part was wrong. */
export const LOGIN_FAILED = "the email or password is wrong";

/** Registration and password checks; sessions are the session store's business. */
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates a customer (never an admin: the first admin comes from the seed). 409 if taken. */
  async register(email: string, password: string): Promise<User> {
    const hash = await this.#hash(() => this.hasher.hash(password));
    const user = await this.users.create(email, hash);
    if (!user) throw problems.conflict("an account with this email already exists");
    return user;
  }

  /**
   * The user whose password this is, or a 401. An unknown email costs one argon2
   * verification too, so the response time does not reveal which emails have accounts.
   */
  async verifyCredentials(email: string, password: string): Promise<User> {
    const account = await this.users.findByEmailWithHash(email);
    if (!account) {
      await this.#hash(() => this.hasher.verifyAgainstDummy(password));
      throw problems.unauthorized(LOGIN_FAILED);
    }
    if (!(await this.#hash(() => this.hasher.verify(account.passwordHash, password)))) {
      throw problems.unauthorized(LOGIN_FAILED);
    }
    if (this.hasher.needsRehash(account.passwordHash)) {
      // The old hash verified; store one made with today's parameters.
      const upgraded = await this.#hash(() => this.hasher.hash(password));
      await this.users.updatePasswordHash(account.id, upgraded);
    }
    const { passwordHash: _hash, ...user } = account;
    return user;
  }

  /** Hashes the dummy password that unknown emails are checked against. */
  async warmUp(): Promise<void> {
    await this.hasher.verifyAgainstDummy("warm-up");
  }

  /** A hashing step; a full waiting line is a 503 the client may retry shortly. */
  async #hash<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof HashersBusyError) {
        throw problems.unavailable("too many logins are being checked; try again shortly", 1);
      }
      throw error;
    }
  }
}
