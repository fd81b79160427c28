import type { Argon2Params } from "@strata/passwords";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "@strata/passwords";
import type { User } from "@strata/contracts";
import { problems } from "../../http/problem.ts";
import type { UserRepository } from "../users/user-repository.ts";

/** One message for every failed login, so the answer does not tell which part was wrong. */
export const LOGIN_FAILED = "the email or password is wrong";

/** Registration and password checks; sessions are the session store's business. */
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly argon2: Argon2Params,
  ) {}

  /** Creates a customer (never an admin: the first admin comes from the seed). 409 if taken. */
  async register(email: string, password: string): Promise<User> {
    const hash = await hashPassword(password, this.argon2);
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
      await verifyAgainstDummy(password, this.argon2);
      throw problems.unauthorized(LOGIN_FAILED);
    }
    if (!(await verifyPassword(account.passwordHash, password))) {
      throw problems.unauthorized(LOGIN_FAILED);
    }
    if (needsRehash(account.passwordHash, this.argon2)) {
      // The old hash verified; store one made with today's parameters.
      await this.users.updatePasswordHash(account.id, await hashPassword(password, this.argon2));
    }
    const { passwordHash: _hash, ...user } = account;
    return user;
  }
}
