import Foundation
import Shells
import Testing

@Suite struct KeyFileTests {
    func keyFile(mode: mode_t, text: String = "UPBIT_ACCESS_KEY=abcd1234\nUPBIT_SECRET_KEY=s3cr3t\n") -> String {
        let path = temporaryDirectory("keys") + "/upbit.keys"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        chmod(path, mode)
        return path
    }

    @Test func aPrivateKeyFileIsRead() throws {
        let credentials = try KeyFile.credentials(file: keyFile(mode: 0o600), environment: [:])
        #expect(credentials.accessKey == "abcd1234")
        #expect("\(credentials)" == "UpbitCredentials(access key abcd…, secret hidden)")
    }

    @Test func aKeyFileOthersCanReadIsRefused() {
        let path = keyFile(mode: 0o644)
        #expect(throws: KeyFile.Problem.self) { try KeyFile.credentials(file: path, environment: [:]) }
        do {
            _ = try KeyFile.credentials(file: path, environment: [:])
        } catch {
            #expect(error.description == "key file \(path) is mode 644: it must be 0600 (chmod 600 \(path))")
        }
    }

    @Test func theEnvironmentWorksAndMissingKeysAreNamed() throws {
        let credentials = try KeyFile.credentials(file: nil, environment: ["UPBIT_ACCESS_KEY": "a", "UPBIT_SECRET_KEY": "b"])
        #expect(credentials.accessKey == "a")
        do {
            _ = try KeyFile.credentials(file: nil, environment: ["UPBIT_ACCESS_KEY": "a"])
            Issue.record("no error")
        } catch {
            #expect(error.description == "UPBIT_SECRET_KEY is not set (environment or --keys FILE)")
        }
    }

    @Test func quotedValuesLoseTheirQuotesAndExportIsAccepted() throws {
        let path = keyFile(mode: 0o600, text: "# keys\nexport UPBIT_ACCESS_KEY=\"abcd1234\"\nUPBIT_SECRET_KEY = 's3cr3t'\n\n")
        let credentials = try KeyFile.credentials(file: path, environment: [:])
        #expect(credentials.accessKey == "abcd1234")
        let expected = UpbitCredentials(accessKey: "abcd1234", secretKey: "s3cr3t")
        #expect(credentials.token(queryString: nil, nonce: "n", algorithm: .sha512)
                    == expected.token(queryString: nil, nonce: "n", algorithm: .sha512))
    }

    @Test func aKeyGivenTwiceOrALineThatIsNotAnAssignmentIsRefusedWithoutShowingValues() {
        let twice = keyFile(mode: 0o600, text: "UPBIT_ACCESS_KEY=a1\nUPBIT_SECRET_KEY=b2\nUPBIT_ACCESS_KEY=a3\n")
        do {
            _ = try KeyFile.credentials(file: twice, environment: [:])
            Issue.record("no error")
        } catch {
            #expect(error.description == "key file \(twice) sets UPBIT_ACCESS_KEY twice (line 3)")
        }
        let garbage = keyFile(mode: 0o600, text: "UPBIT_ACCESS_KEY=a1\nsecretvalue\n")
        do {
            _ = try KeyFile.credentials(file: garbage, environment: [:])
            Issue.record("no error")
        } catch {
            #expect(error.description == "key file \(garbage) line 2 is not NAME=value")
            #expect(!error.description.contains("secretvalue"))
        }
    }
}
